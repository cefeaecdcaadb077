"""The words the extraction rules look for, per language: one place to read and extend them.

Each entry is a regular-expression fragment (matched case-insensitively) with an example of
what it matches; tests walk every entry (tests/test_vocab.py). The rules in ``clean``,
``metadata`` and ``extract`` build their patterns from these tables with ``alternation``;
add a language by adding rows here, not code there. Dates and credits keep their own
tables (``dates``, ``credits``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Entries = tuple[tuple[str, str], ...]  # (fragment, example)

# --- class and id words of containers that are not the article ----------------------------
# Matched against whole words of an element's class and id ("-"/"_" separated). BESIDE: what
# stands beside the article on its page (related lists, comments, sidebars): a date, byline
# or credit inside it is not the article's. FURNITURE: page furniture and the parts of an
# article that are not its text (share bars, menus, captions, bylines): not body text, but
# the metadata rules may read them. POINTERS: links to other articles set among the text ("read
# also"): the metadata rules skip them, the body keeps the text around them (as a strong
# boilerplate word, "read-also" took half of an article on a devset page with it).
BESIDE, FURNITURE, POINTERS = "beside", "furniture", "pointers"
BOILERPLATE_CLASSES: dict[str, tuple[str, str]] = {  # fragment -> (role, example)
    "related": (BESIDE, "related-posts"),
    "recommend\\w*": (BESIDE, "recommendations"),
    "popular": (BESIDE, "popular"),
    "trending": (BESIDE, "trending"),
    "most-?read": (BESIDE, "mostread"),
    "comments?": (BESIDE, "comment"),
    "commentlist": (BESIDE, "commentlist"),
    "comment-list": (BESIDE, "comment-list"),
    "disqus": (BESIDE, "disqus_thread"),
    "sidebar": (BESIDE, "sidebar"),
    "side-bar": (BESIDE, "side-bar"),
    "footer": (BESIDE, "site-footer"),
    "topbar": (BESIDE, "topbar"),
    "header-?top": (BESIDE, "header-top"),
    "teasers?": (BESIDE, "teaser"),
    "more-?(?:news|stories|articles)": (BESIDE, "more-stories"),
    "more-?on": (POINTERS, "more-on"),
    "see-?also": (BESIDE, "see-also"),
    "also-?read": (POINTERS, "also-read"),
    "read-?also": (POINTERS, "read-also"),
    "read-?more": (BESIDE, "readmore"),
    "outbrain": (BESIDE, "OUTBRAIN"),
    "taboola": (BESIDE, "taboola-below"),
    "share": (FURNITURE, "share-buttons"),
    "sharing": (FURNITURE, "sharing"),
    "social": (FURNITURE, "social"),
    "socials": (FURNITURE, "socials"),
    "sns": (FURNITURE, "sns"),
    "cookie\\w*": (FURNITURE, "cookiebar"),
    "consent": (FURNITURE, "consent"),
    "gdpr": (FURNITURE, "gdpr"),
    "newsletter": (FURNITURE, "newsletter"),
    "subscribe": (FURNITURE, "subscribe"),
    "signup": (FURNITURE, "signup"),
    "advert\\w*": (FURNITURE, "advertisement"),
    "ads?": (FURNITURE, "ad"),
    "adv": (FURNITURE, "adv"),
    "banner": (FURNITURE, "banner"),
    "breadcrumbs?": (FURNITURE, "breadcrumb"),
    "menu": (FURNITURE, "menu"),
    "navbar": (FURNITURE, "navbar"),
    "nav": (FURNITURE, "nav"),
    "navigation": (FURNITURE, "navigation"),
    "masthead": (FURNITURE, "masthead"),
    "popup": (FURNITURE, "popup"),
    "modal": (FURNITURE, "modal"),
    "overlay": (FURNITURE, "overlay"),
    "flyout": (FURNITURE, "flyout"),
    "offcanvas": (FURNITURE, "offcanvas"),
    "toc": (FURNITURE, "toc"),
    "table-of-contents": (FURNITURE, "table-of-contents"),
    "author-?bio": (FURNITURE, "authorbio"),
    "lang\\w*-?switch\\w*": (FURNITURE, "language-switcher"),
    "sr-only": (FURNITURE, "sr-only"),
    "visually-?hidden": (FURNITURE, "visually-hidden"),
    "caption": (FURNITURE, "caption"),
    "bildunter\\w*": (FURNITURE, "bildunterschrift"),
    "(?:about-?(?:the-?)?)?(?:author|autor)(?:en)?-?"
    "(?:box|info|bio|description|profile|details|card|about)": (FURNITURE, "about-the-author-box"),
    "about-?(?:the-?)?author": (FURNITURE, "about-author"),
    "(?:post|entry|article)-?author": (FURNITURE, "entry-author"),
    "copyright": (FURNITURE, "copyright"),
    "disclaimer": (FURNITURE, "disclaimer"),
    "credit": (FURNITURE, "credit"),
    "gallery": (FURNITURE, "gallery"),
    "slider": (FURNITURE, "slider"),
    "slideshow": (FURNITURE, "slideshow"),
    "carousel": (FURNITURE, "carousel"),
    "byline": (FURNITURE, "byline"),
    "dateline": (FURNITURE, "dateline"),
    "rss": (FURNITURE, "rss"),
    "donate": (FURNITURE, "donate"),
    "donations?": (FURNITURE, "donation"),
    "support-?(?:us|box|pay\\w*|banner)": (FURNITURE, "support-us"),
    "poll": (FURNITURE, "poll"),
    "vote": (FURNITURE, "vote"),
    "rating": (FURNITURE, "rating"),
    "sponsor\\w*": (FURNITURE, "sponsored"),
}


def class_words(roles: Iterable[str]) -> str:
    """The boilerplate class fragments with one of these roles, as one alternation."""
    wanted = set(roles)
    return "|".join(f for f, (role, _) in BOILERPLATE_CLASSES.items() if role in wanted)


# --- phrases, per language ------------------------------------------------------------------

# Headings that open the list of other articles after the text: the article ends there.
RELATED_HEADINGS: dict[str, Entries] = {
    "en": (
        (r"related(?:\s+\w+)?", "Related stories"),
        (r"read (?:more|also|next)", "Read next"),
        (r"more (?:from|on|in|stories|news|articles)\b.*", "More from Business"),
        (r"you (?:may|might) (?:also )?like", "You might also like"),
        (r"recommended(?: for you)?", "Recommended for you"),
        (r"most (?:read|popular|viewed)", "Most popular"),
        (r"trending(?: now)?", "Trending now"),
        (r"top stories", "Top stories"),
        (r"latest (?:news|stories|articles|posts)", "Latest posts"),
        (r"also on .*", "Also on the site"),
        (r"don'?t miss", "Don't miss"),
        (r"(?:next|previous) (?:article|post|story)", "Previous post"),
    ),
    "de": (
        (r"ähnliche (?:beiträge|artikel|themen)", "Ähnliche Beiträge"),
        (r"neueste (?:beiträge|artikel|nachrichten)", "Neueste Artikel"),
        (r"weitere (?:artikel|beiträge|nachrichten|news|themen|\w*tipps\b.*|\w+s)", "Weitere Nachrichten"),
        (r"(?:vorschau auf den )?nächsten? (?:artikel|beitrag)", "Vorschau auf den nächsten Artikel"),
        (r"vorheriger (?:artikel|beitrag)", "Vorheriger Artikel"),
        (r"(?:das|dies) könnte (?:dich|sie|euch) (?:auch )?interessieren", "Dies könnte dich interessieren"),
        (r"mehr zum thema", "Mehr zum Thema"),
        (r"mehr \w+ (?:auf|von|bei) .*", "Mehr Nachrichten von uns"),
        (r"auch interessant", "Auch interessant"),
        (r"meistgelesen\w*", "Meistgelesen"),
        (r"die meistgelesenen \w+", "Die meistgelesenen Artikel"),
        (r"top[- ]?themen(?: der redaktion)?", "Top-Themen der Redaktion"),
        (r"lesen sie (?:auch|mehr)", "Lesen Sie auch"),
        (r"verwandte (?:artikel|beiträge|themen)", "Verwandte Themen"),
        (r"entdecke weitere .*", "Entdecke weitere Rezepte"),
        (r"empfehlungen", "Empfehlungen"),
    ),
    "fr": (
        (r"article suivant", "Article suivant"),
        (r"(?:à )?lire aussi", "À lire aussi"),
        (r"sur le même sujet", "Sur le même sujet"),
        (r"articles? similaires", "Articles similaires"),
        (r"les plus lus", "Les plus lus"),
    ),
    "es": (
        (r"siguiente artículo", "Siguiente artículo"),
        (r"contenido relacionado", "Contenido relacionado"),
        (r"noticias relacionadas", "Noticias relacionadas"),
        (r"te puede interesar", "Te puede interesar"),
        (r"lo más leído", "Lo más leído"),
        (r"más noticias", "Más noticias"),
        (r"lee también", "Lee también"),
    ),
    "it": ((r"leggi anche", "Leggi anche"), (r"articoli correlati", "Articoli correlati")),
    "pl": (
        (r"zobacz (?:też|także)", "Zobacz też"),
        (r"czytaj (?:też|także)", "Czytaj także"),
        (r"polecamy", "Polecamy"),
        (r"najczęściej czytane", "Najczęściej czytane"),
    ),
    "ru": (
        (r"читайте (?:также|еще|ещё)", "Читайте также"),
        (r"смотрите также", "Смотрите также"),
        (r"похожие (?:новости|статьи|материалы)", "Похожие новости"),
        (r"по теме", "По теме"),
        (r"самое (?:читаемое|популярное)", "Самое читаемое"),
        (r"другие новости", "Другие новости"),
        (r"ещё по теме", "Ещё по теме"),
    ),
    "ar": (
        (r"اقرأ (?:أيضا|أيضاً|ايضا)", "اقرأ أيضا"),
        (r"مقالات ذات صلة", "مقالات ذات صلة"),
        (r"أخبار ذات صلة", "أخبار ذات صلة"),
        (r"الأكثر قراءة", "الأكثر قراءة"),
        (r"قد يهمك", "قد يهمك"),
    ),
}

# Headings that open the readers' comments.
COMMENTS_HEADINGS: dict[str, Entries] = {
    "en": ((r"comments", "Comments"), (r"(?:leave|post|add|write) a (?:comment|reply)", "Leave a reply")),
    "de": ((r"\w*kommentare", "Leserkommentare"), (r"kommentar schreiben", "Kommentar schreiben")),
    "fr": ((r"commentaires", "Commentaires"),),
    "es": ((r"comentarios", "Comentarios"),),
    "it": ((r"commenti", "Commenti"),),
    "pl": ((r"komentarze", "Komentarze"),),
    "ru": (
        (r"комментарии", "Комментарии"),
        (r"(?:оставить|добавить|написать) комментарий", "Оставить комментарий"),
    ),
    "ar": ((r"(?:ال)?تعليقات", "التعليقات"), (r"أضف تعليق(?:ا|اً)?", "أضف تعليقا")),
}

# Labels of an author's biography after the text ("About the author: X is ...").
BIO_LABELS: dict[str, Entries] = {
    "en": ((r"about the authors?", "About the author"), (r"the author", "The author"), (r"author", "Author")),
    "de": (
        (r"über (?:den|die) autor(?:in)?", "Über die Autorin"),
        (r"zu[mr] autor(?:in)?", "Zum Autor"),
        (r"autor(?:in)?", "Autorin"),
    ),
    "ru": ((r"об авторе", "Об авторе"),),
    "ar": ((r"عن الكاتب", "عن الكاتب"), (r"نبذة عن الكاتب", "نبذة عن الكاتب")),
}

# Words of a copyright notice (anywhere in a short line).
COPYRIGHT_PHRASES: dict[str, Entries] = {
    "*": ((r"©", "© 2024 Example"), (r"\(c\)\s*\d{4}", "(c) 2024 Example")),
    "en": ((r"copyright", "Copyright Example Ltd"), (r"all rights reserved", "All rights reserved.")),
    "de": (
        (r"alle rechte vorbehalten", "Alle Rechte vorbehalten."),
        (r"vervielfältigung", "Vervielfältigung nur mit Genehmigung"),
    ),
    "fr": ((r"tous droits réservés", "Tous droits réservés"),),
    "es": ((r"todos los derechos reservados", "Todos los derechos reservados"),),
    "pl": (
        (r"chroniony prawem autorskim", "Materiał chroniony prawem autorskim"),
        (r"prawa zastrzeżone", "Wszystkie prawa zastrzeżone"),
    ),
    "ru": ((r"все права защищены", "Все права защищены"),),
    "ar": ((r"جميع الحقوق محفوظة", "جميع الحقوق محفوظة"),),
}

# The word that opens a figure caption, before its number ("Abbildung 4:", "Рис. 3.").
FIGURE_LABELS: dict[str, Entries] = {
    "en": ((r"figure", "Figure"), (r"fig\.", "Fig.")),
    "de": ((r"abbildung", "Abbildung"), (r"abb\.", "Abb.")),
    "es": ((r"figura", "Figura"),),  # also Italian and Portuguese
    "pl": ((r"rysunek", "Rysunek"), (r"rys\.", "Rys.")),
    "ru": ((r"рисунок", "Рисунок"), (r"рис\.", "Рис.")),
    "ar": ((r"الشكل", "الشكل"), (r"شكل", "شكل")),
}

# Words that mark a date as the last update, not the publication (labels, classes, itemprops).
UPDATED_LABELS: dict[str, Entries] = {
    "en": (
        (r"updated?", "Updated"),
        (r"modified", "dateModified"),
        (r"last edited", "Last edited"),
        (r"edited", "Edited"),
        (r"revised", "Revised"),
    ),
    "de": ((r"aktualisiert", "Aktualisiert"), (r"geändert", "Geändert"), (r"bearbeitet", "Bearbeitet")),
    "fr": ((r"mis à jour", "Mis à jour"), (r"modifié", "Modifié")),
    "es": ((r"actualizado", "Actualizado"),),
    "pt": ((r"atualizado", "Atualizado"),),
    "ru": ((r"обновлен", "Обновлено"), (r"изменен", "Изменено"), (r"отредактирован", "Отредактировано")),
    "ar": ((r"تحديث", "آخر تحديث"), (r"تم التحديث", "تم التحديث")),
}

# Labels that say a date is the publication's: strong ones name publishing itself.
PUBLISHED_LABELS: dict[str, Entries] = {
    "*": ((r"publi", "Published"),),  # published, publié, publicado, pubblicato, publikacja
    "en": ((r"posted", "Posted"),),
    "de": ((r"veröffentlicht", "Veröffentlicht"), (r"erschienen", "Erschienen")),
    "ru": ((r"опубликован", "Опубликовано"),),
    "ar": ((r"نشر", "نشر في"), (r"بتاريخ", "بتاريخ")),
}
WEAK_PUBLISHED_LABELS: dict[str, Entries] = {  # a date's label, not necessarily publishing's
    "*": ((r"date", "Date"),),
    "en": ((r"on\b", "on"),),
    "de": ((r"gespeichert", "Gespeichert"), (r"datum", "Datum"), (r"am\b", "am")),
    "fr": ((r"le\b", "le"),),
}


def alternation(*tables: Mapping[str, Entries]) -> str:
    """The fragments of these tables as one regular-expression alternation."""
    return "|".join(fragment for table in tables for entries in table.values() for fragment, _ in entries)
