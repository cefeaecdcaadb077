"""The invented pages of the extraction rule tests (tests/extract/test_rules_*.py): one small
page per rule, in Arabic, Russian and English.

Every page is realistic but tiny and invented: a cookie banner, a site header (logo, navigation,
a widget with today's date), the article (headline, byline, date, figure, lead, body with a
sub-heading, a list, a quote and a table), a share bar, a related block, a newsletter box,
comments and a footer. ``page()`` builds one; each test varies the part its rule is about and
asserts exact values (title, date, agency, credit, authors) or snippets in / out of the body.

A rule the extractor gets wrong is recorded as a strict xfail with a one-line reason, never by
weakening the test (none is open today).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from etl.extract.date_guess import GUESS
from etl.extract.extract import extract_article
from etl.models import Article

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)  # the fetch time of every page


# --- invented content ------------------------------------------------------------------------


@dataclass(frozen=True)
class Lang:
    code: str
    site: str
    nav: tuple[str, ...]
    today: str  # the header widget: the fetch day, as sites print it
    headline: str
    lead: str
    paras: tuple[str, ...]  # three paragraphs of running text
    subhead: str
    items: tuple[str, ...]
    quote: str
    table: tuple[tuple[str, str], ...]
    related: tuple[str, ...]
    related_date: str
    share: str
    newsletter: str
    cookie: str
    comment: str
    comment_date: str
    footer: str
    caption: str  # a caption without any credit


EN = Lang(
    code="en",
    site="Harbour Courier",
    nav=("Home", "City", "Business", "Sport", "Culture", "Opinion"),
    today="Thursday, 20 November 2025",
    headline="City council approves new tram line to the northern districts",
    lead=(
        "The council voted on Tuesday evening to fund a twelve-kilometre tram line that will link "
        "the port with the northern districts before the end of the decade."
    ),
    paras=(
        "Thirty-one members voted in favour and eight against after a debate that lasted almost "
        "four hours, with most of the objections centred on the cost of the new depot.",
        "The transport department estimates the total cost at 410 million, of which the regional "
        "government will cover a little more than half under an agreement signed last spring.",
        "Construction of the first section is expected to start next summer, once the final "
        "environmental review has been published by the regional authority.",
    ),
    subhead="What the line will cost",
    items=(
        "Twelve new stops along the harbour road",
        "A depot next to the old grain market",
        "Trams every six minutes at peak hours",
    ),
    quote=(
        "We have waited twenty years for this decision, and the northern districts finally get "
        "the connection they deserve, said the deputy mayor."
    ),
    table=(("Harbour to Market Square", "first section"), ("Market Square to North Gate", "second section")),
    related=(
        "Bus fares to rise in January, operator says",
        "Port authority names new director after long search",
    ),
    related_date="3 March 2024",
    share="Share on Facebook",
    newsletter="Sign up for our morning newsletter and get the day's top stories in your inbox",
    cookie="We use cookies to improve your experience. By continuing you accept our cookie policy",
    comment="This tram line is a waste of money, the buses work perfectly well as they are today",
    comment_date="19 November 2025",
    footer="About us | Contact | Advertise",
    caption="The harbour road, where the first stops will be built",
)

RU = Lang(
    code="ru",
    site="Северный вестник",
    nav=("Главная", "Город", "Экономика", "Спорт", "Культура", "Мнения"),
    today="Четверг, 20 ноября 2025",
    headline="Городской совет одобрил строительство новой трамвайной линии",
    lead=(
        "Во вторник вечером депутаты проголосовали за финансирование двенадцатикилометровой линии, "
        "которая свяжет порт с северными районами города."
    ),
    paras=(
        "За решение проголосовали тридцать один депутат, против были восемь, а обсуждение длилось "
        "почти четыре часа: больше всего споров вызвала стоимость нового депо.",
        "Транспортный департамент оценивает общую стоимость проекта в 410 миллионов рублей, больше "
        "половины из которых покроет региональный бюджет по соглашению, подписанному весной.",
        "Строительство первого участка должно начаться следующим летом, после того как региональные "
        "власти опубликуют итоговую экологическую экспертизу.",
    ),
    subhead="Сколько будет стоить линия",
    items=(
        "Двенадцать новых остановок вдоль портовой улицы",
        "Депо рядом со старым зерновым рынком",
        "Трамваи каждые шесть минут в часы пик",
    ),
    quote=(
        "Мы ждали этого решения двадцать лет, и северные районы наконец получат связь с центром, "
        "которую давно заслужили, сказал заместитель мэра."
    ),
    table=(("Порт — Рыночная площадь", "первый участок"), ("Рыночная площадь — Северные ворота", "второй")),
    related=(
        "Проезд в автобусах подорожает с января, сообщил перевозчик",
        "Администрация порта назначила нового директора",
    ),
    related_date="3 марта 2024",
    share="Поделиться ВКонтакте",
    newsletter="Подпишитесь на нашу утреннюю рассылку и получайте главные новости дня на почту",
    cookie="Мы используем файлы cookie. Продолжая пользоваться сайтом, вы соглашаетесь с этим",
    comment="Пустая трата денег, автобусы и так прекрасно справляются со всеми пассажирами района",
    comment_date="19 ноября 2025",
    footer="О нас | Контакты | Реклама",
    caption="Портовая улица, где появятся первые остановки",
)

AR = Lang(
    code="ar",
    site="صحيفة الميناء",
    nav=("الرئيسية", "المدينة", "اقتصاد", "رياضة", "ثقافة", "رأي"),
    today="الخميس 20 نوفمبر 2025",
    headline="مجلس المدينة يوافق على إنشاء خط ترام جديد إلى الأحياء الشمالية",
    lead=(
        "صوت أعضاء المجلس مساء الثلاثاء لصالح تمويل خط ترام بطول اثني عشر كيلومترا يربط الميناء "
        "بالأحياء الشمالية للمدينة."
    ),
    paras=(
        "وأيد القرار واحد وثلاثون عضوا وعارضه ثمانية بعد نقاش استمر نحو أربع ساعات، وتركزت معظم "
        "الاعتراضات على تكلفة المستودع الجديد.",
        "وتقدر إدارة النقل التكلفة الإجمالية للمشروع بنحو أربعمئة وعشرة ملايين، تتحمل الحكومة "
        "الإقليمية أكثر من نصفها بموجب اتفاق وقع في الربيع الماضي.",
        "ومن المتوقع أن تبدأ أعمال إنشاء المرحلة الأولى في الصيف المقبل، بعد أن تنشر السلطات "
        "الإقليمية المراجعة البيئية النهائية للمشروع.",
    ),
    subhead="كم سيكلف الخط الجديد",
    items=(
        "اثنتا عشرة محطة جديدة على طول طريق الميناء",
        "مستودع بجوار سوق الحبوب القديم",
        "رحلة كل ست دقائق في ساعات الذروة",
    ),
    quote=(
        "انتظرنا هذا القرار عشرين عاما، وأخيرا ستحصل الأحياء الشمالية على الربط الذي تستحقه، "
        "قال نائب رئيس البلدية."
    ),
    table=(("الميناء - ساحة السوق", "المرحلة الأولى"), ("ساحة السوق - البوابة الشمالية", "المرحلة الثانية")),
    related=(
        "ارتفاع أسعار تذاكر الحافلات اعتبارا من يناير",
        "سلطة الميناء تعين مديرا جديدا بعد بحث طويل",
    ),
    related_date="3 مارس 2024",
    share="شارك على فيسبوك",
    newsletter="اشترك في نشرتنا الصباحية واحصل على أهم أخبار اليوم في بريدك الإلكتروني",
    cookie="نستخدم ملفات تعريف الارتباط لتحسين تجربتك، وباستمرارك في التصفح فإنك توافق على ذلك",
    comment="هذا المشروع إهدار للمال العام، فالحافلات تعمل بشكل ممتاز ولا حاجة إلى خط جديد",
    comment_date="19 نوفمبر 2025",
    footer="من نحن | اتصل بنا | أعلن معنا",
    caption="طريق الميناء حيث ستقام المحطات الأولى",
)

LANGS = {"en": EN, "ru": RU, "ar": AR}
ALL = pytest.mark.parametrize("lang", ["ar", "ru", "en"])


# --- page builder ------------------------------------------------------------------------------


def ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'


def body_html(c: Lang, *, extra_top: str = "", extra_bottom: str = "") -> str:
    """The article body: paragraphs, a sub-heading, a list, a quote and a table (the lead is
    the page's own <p class="lead"> before it)."""
    p1, p2, p3 = c.paras
    rows = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in c.table)
    items = "".join(f"<li>{i}</li>" for i in c.items)
    return (
        f"{extra_top}<p>{p1}</p><h2>{c.subhead}</h2><p>{p2}</p><ul>{items}</ul>"
        f"<blockquote><p>{c.quote}</p></blockquote><table><tbody>{rows}</tbody></table>"
        f"<p>{p3}</p>{extra_bottom}"
    )


def page(
    lang: str,
    *,
    title: str | None = None,
    head: str = "",
    html_lang: str | None = None,
    headline: str | None = None,
    meta: str = "",
    figure: str = "",
    body: str | None = None,
    lead: str | None = None,
    after_article: str = "",
    widget: bool = True,
    logo_h1: bool = False,
) -> str:
    """A small news page in ``lang``; every argument replaces one part of it."""
    c = LANGS[lang]
    title = f"{c.headline} | {c.site}" if title is None else title
    headline = c.headline if headline is None else headline
    lead_html = f'<p class="lead">{c.lead if lead is None else lead}</p>'
    body = body_html(c) if body is None else body
    nav = "".join(f'<li><a href="/{i}">{n}</a></li>' for i, n in enumerate(c.nav))
    related = "".join(
        f'<li><a href="/news/{i}">{r}</a> <span class="date">{c.related_date}</span></li>'
        for i, r in enumerate(c.related)
    )
    widget_html = f'<div class="today">{c.today}</div>' if widget else ""
    logo_tag = "h1" if logo_h1 else "div"
    logo = f'<{logo_tag} class="logo"><a href="/">{c.site}</a></{logo_tag}>'
    return f"""<!DOCTYPE html>
<html lang="{html_lang or lang}" dir="{"rtl" if lang == "ar" else "ltr"}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta property="og:site_name" content="{c.site}">
{head}
</head>
<body>
<div class="cookie-banner"><p>{c.cookie}</p><a href="/privacy">OK</a></div>
<header class="site-header">
  {widget_html}
  {logo}
  <nav><ul>{nav}</ul></nav>
</header>
<main>
<article>
  <h1 class="headline">{headline}</h1>
  {meta}
  {figure}
  {lead_html}
  <div class="article-body">{body}</div>
  <div class="share-buttons"><a href="https://facebook.com/share">{c.share}</a></div>
</article>
{after_article}
<section class="related-news"><h3>More</h3><ul>{related}</ul></section>
<div class="newsletter-box"><p>{c.newsletter}</p><form><input type="email"></form></div>
<section class="comments"><div class="comment"><span class="comment-date">{c.comment_date}</span>
<p>{c.comment}</p></div></section>
</main>
<footer><p>{c.footer}</p><p>© 2025 {c.site}. All rights reserved.</p></footer>
</body>
</html>"""


def extract(html: str | bytes, url: str | None = None, now: datetime = NOW):
    return extract_article(html, url, now=now)


def rule_date(article: Article) -> datetime | date | None:
    """The date the page's evidence gives: a last-resort guess (date_origin "guess", htmldate's
    extensive search, which users can filter out) does not count. The tests below that expect
    no date check that no rule takes a date that is not the publication date."""
    return None if article.date_origin == GUESS else article.published


def iso(value: datetime | date | None) -> str | None:
    """isoformat() tells a date from a datetime and shows the offset a datetime carries."""
    return None if value is None else value.isoformat()


BYLINE = {"en": "By Martha Quinn", "ru": "Автор: Марфа Квинн", "ar": "كتب: مارثا كوين"}
NAME = {"en": "Martha Quinn", "ru": "Марфа Квинн", "ar": "مارثا كوين"}
PHOTO_LINE = {"en": "Photo: Lena Fox", "ru": "Фото: Лена Фокс", "ar": "الصورة: لينا فوكس"}
PHOTOGRAPHER = {"en": "Lena Fox", "ru": "Лена Фокс", "ar": "لينا فوكس"}
DATE_LINE = {  # the article's visible date line: 18 November 2025, 14:05
    "en": "18 November 2025, 14:05",
    "ru": "18 ноября 2025, 14:05",
    "ar": "18 نوفمبر 2025، 14:05",
}


def date_div(line: str) -> str:
    return f'<div class="date">{line}</div>'


def figure(caption: str, credit: str | None = None, credit_class: str = "credit") -> str:
    credit_html = f'<span class="{credit_class}">{credit}</span>' if credit else ""
    return f'<figure><img src="/photo.jpg" alt=""><figcaption>{caption} {credit_html}</figcaption></figure>'
