"""Developer tools: the benchmark (tools/bench/), the evaluation and the hostile-page generator."""
