"""Build ``sample_library/tallow-and-starlight.epub``, a sample story for the reader.

The book is laid out the way FanFicFare's EPUB writer lays out a downloaded story: an
EPUB 2 package with ``mimetype`` stored first and uncompressed, ``META-INF/container.xml``,
``content.opf`` and ``toc.ncx`` at the top, and a title page, a table of contents page and
one ``OEBPS/fileNNNN.xhtml`` per chapter.

The story, its fandom, characters, pen name and archive are invented; every word of the
text below is original writing made for this project's sample library.

Standard library only. The output is deterministic: fixed file order, fixed timestamps and
fixed permissions, so running the script twice gives byte-identical files.

    python3 scripts/build_sample_epub.py [OUTPUT.epub]
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

OUTPUT = Path(__file__).resolve().parent.parent / "sample_library" / "tallow-and-starlight.epub"

#: Every entry in the archive gets this timestamp, so the bytes never depend on the clock.
ZIP_DATE = (2026, 1, 1, 0, 0, 0)

SITE = "www.candlelight-archive.example"
STORY_ID = "48213"
AUTHOR_ID = "3071"

META = {
    "title": "Tallow and Starlight",
    "author": "wickandwhimsy",
    "storyUrl": f"https://{SITE}/viewstory.php?sid={STORY_ID}",
    "authorUrl": f"https://{SITE}/viewuser.php?uid={AUTHOR_ID}",
    "category": "Cinderwick Academy (Video Game)",
    "genre": "Friendship, Humor",
    "language": "English",
    "langcode": "en",
    "characters": "Marguerite Tolland, Ansel Ferrow, Professor Quillon Marsh, Pip",
    "status": "Completed",
    "published": "2023-11-18",
    "updated": "2023-12-16",
    "rating": "K+",
    "summary": (
        "On the night before the Longest Night, rivals Mags Tolland and Ansel Ferrow blow out "
        "the candle that has burned at Cinderwick Academy for three hundred years. To make a new "
        "one by midnight they need wax from the bell-tower bees, a thread from a tapestry with "
        "opinions, and a falling star."
    ),
}

SUBJECTS = ["FanFiction", "Friendship", "Humor", "Cinderwick Academy (Video Game)", "Completed", "K+"]

# Chapter text: paragraphs are separated by blank lines and may use <i> and <b>.
# A paragraph that is exactly "* * *" becomes a centred scene break; "---" becomes <hr />.
CHAPTERS = [
    (
        "Chapter 1: The Candle That Went Out",
        """
<b>A/N:</b> Hi everyone! This is my first fic for Cinderwick Academy, after sinking far too
many hours into the Winter Term update. It's set in Year Two, the week of the Longest Night
festival, so there are very mild spoilers for the "Wax and Wane" questline. Mags and Ansel
are rivals in canon and I have decided they deserve an adventure. Four chapters, all
finished, posting weekly. Cinderwick Academy belongs to Hearthlight Games, not to me.

In three hundred and eleven years, the Evermore Candle had never once gone out.

It had burned through four fires, two floods, one siege, and the famous winter when the
headmistress's pet goose got loose in the Great Hall and ate every one of the first-years'
exam papers. It stood on its iron stand at the head of the hall, taller than a man, white as
milk and as thick as an oak, and its single flame had lit the face of every student who had
ever studied the lightwright's arts at Cinderwick Academy. It was on the school crest. It was
on the school scarves. The school song had nine verses, and six of them were about it.

And at a quarter to ten on the night before the Longest Night, with Marguerite Tolland
standing at one end of the Great Hall and Ansel Ferrow standing at the other, it went out with
a small, apologetic <i>fft</i>.

The silence afterwards was enormous.

Mags lowered her hand. A curl of smoke was still rising from her fingertips where the flare
charm had been. At the far end of the hall Ansel lowered his, too, and the little blue spark he
had been about to throw fizzled and died on his palm like a dropped match.

"You," said Ansel.

"<i>Me?</i>" said Mags. "You threw the gust charm!"

"I threw the gust charm because you threw a flare at my <i>head</i>!"

"It was a very small flare!"

"It set my eyebrow on fire!"

"One eyebrow! You've got two!"

They both stopped, because they had both, at the same moment, remembered what was standing
between them. They turned together and looked at the tall white candle at the head of the hall,
and at the thin grey thread of smoke rising from its blackened wick, and at the dark.

It was very dark. Mags had never noticed before how much of the Great Hall's light came from
that one flame.

"Oh," she said, in a much smaller voice. "Oh, no."

Professor Quillon Marsh was not a shouter. That was the worst thing about him. He was a long,
thin, grey man with a long, thin, grey beard, and he taught Advanced Wick Theory in a voice like
someone turning pages, and in the eleven minutes it took him to arrive in the Great Hall in his
dressing gown and slippers, both Mags and Ansel had privately decided that they would much
rather have been shouted at.

He looked at the candle. He looked at them. He looked at Ansel's eyebrow, which was still
smoking slightly.

"I see," he said.

"Professor, it was an accident—" Mags began.

"I should hope so, Miss Tolland. I should very much hope that nobody in this school would put
out the Evermore on <i>purpose</i>." He sighed and sat down on the end of the nearest bench,
tucking his dressing gown round his knees. "You understand that it cannot simply be relit. Not
with a match. Not with a charm. An Evermore must be lit from an Evermore, and there is no
other."

"So what happens?" said Ansel.

"So tomorrow night is the Longest Night," said Professor Marsh. "And at midnight, when the whole
school gathers to light its lanterns from this candle, there will be no candle to light them
from. And Cinderwick will be dark until spring."

Mags felt her stomach drop through the floor.

"Unless," the professor went on, mildly, "someone makes a new one."

He held up one finger.

"Wax from the bees who sleep in the bell tower. Freely given." A second finger. "A wick spun
from a thread of the Founder's Tapestry. Freely given." A third. "And a flame caught from a
falling star." He put his hand down. "The old recipe. Nobody has needed it for three hundred
years. I imagine the two of you will manage it before midnight tomorrow."

"<i>Together?</i>" said Mags and Ansel at exactly the same time, and then glared at each other
for saying it.

Professor Marsh stood up, and just for a second, in the dark, Mags thought she saw his beard
twitch at the corner, the way it did when he was trying not to smile.

"Together," he said. "Good night."
""",
    ),
    (
        "Chapter 2: Beeswax, Politely Requested",
        """
The bell tower of Cinderwick Academy had a hundred and forty-four steps, and Ansel Ferrow
complained about every one of them.

"I don't see why we had to come up at dawn."

"Because bees wake up at dawn."

"It's winter. Bees don't wake up in winter. They cluster. It says so in <i>Apiaries for the
Aspiring Chandler</i>, chapter six."

"Then you know more about it than I do," said Mags, "so you can do the talking."

That shut him up for nearly twenty steps.

Pip rode on her collar, as he always did, his dusty grey wings folded flat and his feathery
feelers twitching at every draught. He was a wax moth, which most of the other students thought
was a joke — a chandler with a wax moth for a familiar, like a baker with a pet weevil — but Pip
had never eaten so much as a crumb of a candle that wasn't already ruined, and he could smell
good wax through three closed doors. He began to quiver at step one hundred and twenty.

"He's found it," said Mags.

"He's found something," said Ansel, panting. "Probably a biscuit."

At the top of the tower was the old bell chamber. There had not been a bell in it for a hundred
years; the bell had cracked in a hard frost and been taken down and melted into doorknobs, which
was exactly the sort of thing Cinderwick did with its history. In its place, hanging from the
great oak beam where the bell had hung, was a hive. Not a box hive, like the neat white rows the
groundskeeper kept behind the greenhouses, but a wild one: sheets of comb hanging side by side
like the pages of a golden book, each longer than Mags's arm, the old wax gone the colour of
toffee at the top and still pale as cream at the bottom. And in the middle of it, packed tight
in a ball the size of a pumpkin, were the bees.

They were humming. It was a low, warm, steady sound, more felt than heard, like a cat purring in
the next room.

"Right," said Ansel. He pulled a folded paper out of his coat pocket and smoothed it flat. "I've
prepared something."

"You've <i>what</i>?"

"A petition. There's a proper form of address for requesting materials from a sovereign colony.
It's in the appendix." He cleared his throat, stepped forward, and bowed very low to the hive.
"Most gracious and industrious Majesty. We, the undersigned, humble students of the Academy of
Cinderwick, do most respectfully beseech—"

The hum did not change at all.

"—beseech the favour of a portion of Your Majesty's excellent wax, which is to say—"

A single bee detached itself from the cluster, flew a slow, heavy circle round Ansel's head, and
landed precisely on the end of his nose. Ansel went cross-eyed and stopped talking.

"I think," said Mags, trying very hard not to laugh, "that means <i>get on with it</i>."

"Then you try," said Ansel, without moving his lips.

So she did. She didn't know any forms of address. What she knew was the song her gran sang to
the hives at the bottom of the orchard at home, every morning of Mags's life, while Mags sat on
the wall and kicked her heels: a slow, wandering thing with hardly any words, just <i>hey, bees,
hey, my bees, it's only me</i>, over and over, in a voice like a kettle starting to warm. Gran
said bees didn't care about words. Bees cared about whether you meant it.

Mags stepped up beside Ansel, took a breath, and sang it.

For a moment nothing happened. Then the hum changed. It rose, just a little, and softened, and
slowed — and the bee on Ansel's nose lifted off and flew back to the cluster, and the cluster
shifted and shrugged, like someone turning over in bed. Along the bottom edge of the nearest
comb, the bees drew back. They left bare a strip of old, clean, empty wax, pale as a candle
already.

"Oh," breathed Ansel.

Then the hum changed again, sharper now, and every bee on the outside of the cluster turned to
face the window.

The window of the bell chamber had a wooden shutter, and the shutter had a broken hinge, and it
was banging gently to and fro in the wind. Every time it swung open, a draught of icy air came
whistling across the room and straight into the hive.

"They want it fixed," said Mags. "Don't they? That's the price."

"<i>Freely given</i>," said Ansel slowly. "Marsh said freely given. He didn't say free." He was
already across the room. He ran his fingers over the hinge, frowning, and then reached into one
of his many coat pockets and came out with a small screwdriver, a bent nail and a twist of copper
wire. "Hold the shutter. No, up. Higher. There."

It took him eleven minutes. Mags held the shutter and watched him work, and thought about the
things she knew about Ansel Ferrow, which were: that he was top of their year in Wick Theory,
that he had never once been seen with a hair out of place, and that he talked too much in
lectures and threw gust charms at other people's candles in the corridors for fun. She had not
known he could mend a hinge. She had not known his hands would be so quick and sure, or that he
would hum under his breath while he worked, tunelessly, exactly like her gran.

When he was done the shutter closed snug in its frame, the draught stopped, and the hive's hum
dropped back down to a contented purr.

Mags cut the wax with her silver knife, a single long strip from the bottom of the comb. It came
away as soft as butter. She wrapped it in her scarf.

"Thank you," she said to the bees, and then, because it seemed right, to Ansel as well.

He looked startled. Then he looked away and said, "My family has a shop. Lots of hinges," as
though that explained anything at all, and started down the hundred and forty-four steps without
waiting for her.
""",
    ),
    (
        "Chapter 3: The Thread in the Tapestry",
        """
The Founder's Tapestry hung at the far end of the Long Gallery, behind a velvet rope and a small
brass sign that said <b>PLEASE DO NOT TOUCH, WHISPER TO, OR FEED THE TAPESTRY</b>.

"Feed it?" said Mags.

"There was an incident," said Ansel. "Years ago. With a sandwich."

It was enormous — thirty feet long and ten high — and it showed the founding of the school in
faded wool: Ysolde Cinderwick crossing the marshes with her lantern, the first stones being laid,
the first students at the first workbench, the lighting of the first Evermore. And the figures
moved. Not quickly. If you stared at one you would never see it happen, but if you looked away
and back again, Ysolde would have lifted her lantern a little higher, or a stitched wheelbarrow
would have crept an inch along a stitched road. By night, under the gallery lamps, the whole
thing seemed to breathe.

They stepped over the rope. ("Technically," Ansel muttered, "we aren't touching it, whispering
to it <i>or</i> feeding it.") Mags held up the list Professor Marsh had given them. <i>A wick
spun from a thread of the Founder's Tapestry. Freely given.</i>

"How do you ask a tapestry for anything?"

As if it had heard her, the tapestry rippled. In the bottom corner, where there had been nothing
but a plain green border, stitches began to appear — quick little pale stitches, running across
the wool by themselves like ants. They spelled out four words.

<b>A STORY FOR A THREAD.</b>

"Of course," said Ansel softly. "It's a record. It wants something to record."

"What sort of story?"

The stitches unpicked themselves and made new ones. <b>A TRUE ONE.</b>

They looked at each other. Mags thought Ansel looked the way she felt, which was as if someone
had just asked her to take her coat off in a snowstorm.

"I'll go first," he said abruptly. He faced the tapestry, put his hands in his pockets, and
spoke to the stitched marshes instead of to her.

"My family makes candles. In Lowmarket, on Tallow Lane. My great-great-grandfather opened the
shop and it's been Ferrow's ever since. Only last year they put gaslamps in all down Tallow
Lane. And the year before that, along the high street. And people don't buy candles the way they
used to. My father says it's fine. He says it every night at dinner, <i>it's fine, Ansel, it's
fine</i>, and my mother doesn't say anything at all." He took a breath. "So I came here. Because
a gaslamp can't do what a Cinderwick candle does. It can't keep away bad dreams, or burn the
right colour for a wedding, or tell you when somebody you love is coming home. If I learn all
that — if I'm the best — then maybe there's still a reason for a shop like ours. And if I'm not
the best—" He stopped.

"Then what?" said Mags quietly.

"Then I don't know," said Ansel. "That's all. That's the story."

The tapestry rippled. In the corner, in tiny stitches, a narrow shop appeared, with a candle in
its window.

Mags looked at it for a long moment. Then she stepped up beside him.

"My gran keeps bees," she said. "On a farm out past Hedgerow End. Nobody in my family ever went
to school past twelve. I'm here because the Academy gives one scholarship a year to somebody from
the villages, and I sat the exam at the back of the schoolroom with my boots still muddy, and I
won it. And every day since I got here I've been waiting for someone to notice it was a mistake."
She swallowed. "Everyone's kind. That's the worst part. Everyone's so <i>careful</i> with me.
Except you. You're the only one who's ever treated me like I might actually beat them. That's
why I throw flares at you. Because you throw them back."

Ansel turned and stared at her. She didn't look at him. She looked at the tapestry, where,
beside the little shop, a little farmhouse had appeared, with a row of tiny hives along its
wall.

Then — slowly, with the care of something very old — a single silver thread worked itself loose
from Ysolde Cinderwick's lantern, drifted down, and settled across Mags's open palm.

* * *

They made the candle that afternoon in the back workshop, at the long bench under the window.

Mags spun the silver thread into a wick, twisting it between her fingers until it was fine and
tight and even, while Ansel melted the wax in the little copper pot over a low flame, stirring it
with a glass rod and muttering temperatures under his breath. Then they dipped: down into the
wax, up again, count to thirty while it cooled, down again. Dipping a candle was slow work. You
could not hurry it. Dip too soon and the layer beneath melted and slid away; wait too long and
it cracked.

"Thirty," said Ansel.

Down. Up.

"You know you hum," said Mags, somewhere around dip forty. "When you work. Like my gran."

"I do not."

"You did on the hinge."

"That," said Ansel, "was concentration."

Down. Up. Thirty.

By the time the windows had gone dark the candle was as long as Mags's forearm and as thick as
her wrist — nothing like the great white column of the old Evermore, but smooth and pale and
faintly golden, and when she held it up to the lamp the silver wick shone through the top of it
like a thread of moonlight.

"It's small," said Ansel doubtfully.

"It's a start," said Mags.
""",
    ),
    (
        "Chapter 4: A Flame Caught Falling",
        """
<b>A/N:</b> Last chapter! Thank you so much to everyone who has followed and reviewed. Special
thanks to lanternjaw for the beta, and for explaining candle-dipping to me twice.

The observatory roof was the highest point in Cinderwick, and at half past eleven on the Longest
Night it was also the coldest place in the world.

Mags stamped her feet on the leads and tucked her hands into her armpits. Below them the school
lay dark — properly dark, for the first time in three hundred years — every window black, every
lantern unlit. Down in the Great Hall the whole Academy would be gathering by now, in scarves and
best robes, three hundred students and forty staff waiting for midnight and for a candle that
wasn't there.

The new candle stood between them in a tin holder, its silver wick bare.

"Professor Marsh's almanac," said Ansel, reading it by the faint light of the stars, "says the
Wintertide shower peaks at midnight. Forty falling stars an hour."

"That's not many."

"It only takes one."

"And how, exactly, do you catch a falling star?"

Ansel had been thinking about it. Ansel, she was learning, was always thinking about something.
He held up a candle snuffer — the ordinary brass kind, a little cone on a long handle, the kind
every chandler in the world used to put flames out.

"A snuffer is made to take a flame away," he said. "It closes round it and carries it off. So if
you turn it round the other way—"

"—it gives one instead," said Mags slowly. "That isn't in any textbook."

"No," said Ansel. "I made it up. On the stairs." He grinned, suddenly: a wide, crooked grin she
had never seen on him before. "But reach is the problem. The stars are very high up and the
snuffer is very short. We need to throw it. Really throw it. Something fast and hot enough to go
up, catch the light, and bring it back down."

Mags looked at the snuffer. She looked at him.

"A flare," she said. "And a gust."

"The exact combination," said Ansel, "that put the old one out."

For a second neither of them said anything. Then Mags started to laugh, and after a moment Ansel
did too, the two of them standing on the freezing roof in the dark with their breath smoking,
laughing like idiots, while Pip fluttered up from her collar in alarm and settled, grumbling, in
Ansel's hair.

The first falling star came at eleven forty-one, away to the east, too far and too fast. The
second came at eleven forty-eight, and they weren't ready. The third came at eleven fifty-three,
almost straight overhead, a long silver scratch across the dark.

"<b>Now!</b>" said Ansel.

Mags threw her flare. Ansel threw his gust behind it. The two charms met in the air above the
roof and twisted together, red and blue, the way they had in the Great Hall — only this time they
weren't aimed at each other. They were aimed at the same thing. The snuffer went up with them,
spinning end over end, higher than the weathervane, higher than the tower, a tiny brass speck
against the stars — and for one single moment, as the falling star passed over it, the speck
caught the light and <i>held</i> it.

Then it was falling back, with a glow inside it like a coal.

Ansel caught it one-handed. He turned it — gently, gently — over the candle, and tipped it, and
out of the brass cone, as if he were pouring water, he poured a small white flame onto the silver
wick.

It caught.

It did not flicker. It did not smoke. It stood up straight and still, white at the heart and gold
at the edges, and its light fell across the roof and across both their faces, and Mags thought it
was the most beautiful thing she had ever seen.

"Eleven fifty-six," said Ansel, in a strangled voice. "Four minutes. There are two hundred and
six stairs."

They ran.

---

The Great Hall was silent when they burst through the doors, and very dark, and full. Three
hundred faces turned towards them. Mags saw the headmistress beside the empty iron stand, and the
first-years clutching their unlit lanterns, and, at the end of the front bench, tall and grey in
his best robe, Professor Marsh.

They walked up the aisle together, Ansel carrying the candle and Mags beside him with one hand
cupped round the flame to keep off the draught. It seemed to take about a year. The clock above
the doors began to strike midnight when they were halfway there. On the twelfth stroke Ansel set
the candle in the iron stand, where the old one had stood for three hundred and eleven years, and
stepped back.

For a moment there was only one small flame in the dark.

Then the first-year nearest the front — a round-faced boy with his scarf wound up to his nose —
leaned forward and lit his lantern from it. And the girl beside him lit hers from his. And the
light went down the rows from lantern to lantern, hand to hand, bench after bench, until the
whole Great Hall was full of it, three hundred small flames and one in the middle, and somebody
started to sing the school song, all nine verses, and everyone joined in, badly.

Mags didn't know the words to verse seven. She glanced sideways and saw that Ansel didn't
either.

Professor Marsh came up beside them as the song ended. He considered the new candle for a long
time.

"Small," he observed.

"It's a start," said Ansel and Mags at the same moment, and then looked at each other, and did
not glare at all.

The professor's beard twitched at the corner. This time Mags was quite sure of it.

"Together," he said. "Well done. Go to bed."

They didn't go to bed. They sat on the steps outside the Great Hall with two mugs of the hot
spiced cider they were definitely not supposed to have, and watched the lanterns bob away across
the courtyard as everyone went back to their houses.

"Your eyebrow's growing back crooked," said Mags.

"It is not."

"It is, a bit."

Ansel touched it, self-consciously. "Well," he said, "you'll have to get used to it, won't you?
Marsh has put us down as workshop partners for the spring term. I saw the list."

Mags looked at him over the rim of her mug. Pip, who had apparently decided that Ansel's hair
was his home now, sighed contentedly from the top of his head.

"I think," she said, "I could get used to it."
""",
    ),
]

STYLESHEET = """body { margin: 2%; text-align: justify; }
h3 { text-align: center; }
.center { text-align: center; margin: 1em 0; }
.fff_titlepage b { font-weight: bold; }
"""


def typographic(text: str) -> str:
    """Curly quotes and apostrophes for the straight ones typed in the source above."""
    text = re.sub(r"(?<![^\s(>—])\"(?=\S)", "\u201c", text)
    text = text.replace('"', "\u201d")
    return text.replace("'", "\u2019")


def paragraphs(source: str) -> list[str]:
    """Split a chapter source into paragraphs, joining the lines of each."""
    return [" ".join(block.split()) for block in source.strip().split("\n\n")]


def chapter_body(source: str) -> str:
    lines = []
    for para in paragraphs(source):
        if para == "* * *":
            lines.append('<div class="center">* * *</div>')
        elif para == "---":
            lines.append("<hr />")
        else:
            lines.append(f"<p>{typographic(para)}</p>")
    return "\n".join(lines)


def word_count() -> int:
    words = 0
    for _title, source in CHAPTERS:
        text = re.sub(r"<[^>]+>", " ", source)
        words += sum(1 for token in text.split() if re.search(r"\w", token))
    return words


def xhtml_head(title: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml">\n'
        "<head>\n"
        f"<title>{escape(title)}</title>\n"
        '<link href="stylesheet.css" type="text/css" rel="stylesheet"/>\n'
        f"{extra}"
        "</head>\n"
    )


def title_page() -> str:
    m = META
    url = escape(m["storyUrl"])
    entries = [
        ("Category", escape(m["category"])),
        ("Genre", escape(m["genre"])),
        ("Language", escape(m["language"])),
        ("Characters", escape(m["characters"])),
        ("Status", escape(m["status"])),
        ("Published", m["published"]),
        ("Updated", m["updated"]),
        ("Rating", escape(m["rating"])),
        ("Words", f"{word_count():,}"),
        ("Chapters", str(len(CHAPTERS))),
        ("Story URL", f'<a href="{url}">{url}</a>'),
        ("Summary", escape(m["summary"])),
    ]
    body = "".join(f"\n<b>{label}:</b> {value}<br />\n" for label, value in entries)
    return (
        xhtml_head(f"{m['title']} by {m['author']}")
        + '<body class="fff_titlepage">\n'
        + f'<h3><a href="{url}">{escape(m["title"])}</a> by '
        + f'<a class="authorlink" href="{escape(m["authorUrl"])}">{escape(m["author"])}</a></h3>\n'
        + "<div>\n"
        + body
        + "\n</div>\n\n</body>\n</html>\n"
    )


def toc_page() -> str:
    entries = "".join(
        f'\n<a href="file{index:04d}.xhtml">{escape(title)}</a><br />\n'
        for index, (title, _source) in enumerate(CHAPTERS, start=1)
    )
    return (
        xhtml_head(f"{META['title']} by {META['author']}")
        + '<body class="fff_tocpage">\n<div>\n<h3>Table of Contents</h3>\n'
        + entries
        + "\n</div>\n</body>\n</html>\n"
    )


def chapter_page(index: int, title: str, source: str) -> str:
    chapter_url = f"{META['storyUrl']}&chapter={index}"
    extra = (
        f'<meta name="chapterurl" content={quoteattr(chapter_url)} />\n'
        f'<meta name="chapterorigtitle" content={quoteattr(title)} />\n'
        f'<meta name="chaptertoctitle" content={quoteattr(title)} />\n'
        f'<meta name="chaptertitle" content={quoteattr(title)} />\n'
    )
    return (
        xhtml_head(title, extra)
        + '<body class="fff_chapter">\n'
        + f'<h3 class="fff_chapter_title">{escape(title)}</h3>\n'
        + '<div id="storytext">\n'
        + chapter_body(source)
        + "\n</div>\n\n</body>\n</html>\n"
    )


def unique_id() -> str:
    return f"fanficfare-uid:{SITE}-u{AUTHOR_ID}-s{STORY_ID}"


def container_xml() -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
        '<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
        "</rootfiles></container>\n"
    )


def manifest_items() -> list[tuple[str, str, str, str | None]]:
    """(id, href, media type, table-of-contents title) for every file after the OPF."""
    items: list[tuple[str, str, str, str | None]] = [
        ("ncx", "toc.ncx", "application/x-dtbncx+xml", None),
        ("style", "OEBPS/stylesheet.css", "text/css", None),
        ("title_page", "OEBPS/title_page.xhtml", "application/xhtml+xml", "Title Page"),
        ("toc_page", "OEBPS/toc_page.xhtml", "application/xhtml+xml", "Table of Contents"),
    ]
    for index, (title, _source) in enumerate(CHAPTERS, start=1):
        items.append((f"file{index:04d}", f"OEBPS/file{index:04d}.xhtml", "application/xhtml+xml", title))
    return items


def content_opf() -> str:
    m = META
    meta = [
        f'<dc:identifier id="fanficfare-uid">{escape(unique_id())}</dc:identifier>',
        f'<dc:title id="id">{escape(m["title"])}</dc:title>',
        f'<dc:creator opf:role="aut">{escape(m["author"])}</dc:creator>',
        f"<dc:language>{m['langcode']}</dc:language>",
        f'<dc:date opf:event="publication">{m["published"]}</dc:date>',
        f'<dc:date opf:event="modification">{m["updated"]}</dc:date>',
        f'<meta name="calibre:timestamp" content="{m["updated"]}T00:00:00"/>',
        f"<dc:description>{escape(m['summary'])}</dc:description>",
    ]
    meta += [f"<dc:subject>{escape(subject)}</dc:subject>" for subject in SUBJECTS]
    meta += [
        f"<dc:publisher>{SITE}</dc:publisher>",
        f'<dc:identifier opf:scheme="URL">{escape(m["storyUrl"])}</dc:identifier>',
        f"<dc:source>{escape(m['storyUrl'])}</dc:source>",
    ]
    items = manifest_items()
    manifest = "".join(
        f'<item id="{item_id}" href="{href}" media-type="{media}"/>' for item_id, href, media, _t in items
    )
    spine = "".join(f'<itemref idref="{item_id}" linear="yes"/>' for item_id, _h, _m, title in items if title)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package version="2.0" xmlns="http://www.idpf.org/2007/opf" unique-identifier="fanficfare-uid">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">'
        + "".join(meta)
        + "</metadata>"
        + f"<manifest>{manifest}</manifest>"
        + f'<spine toc="ncx">{spine}</spine>'
        + "</package>\n"
    )


def toc_ncx() -> str:
    points = []
    order = 0
    for item_id, href, _media, title in manifest_items():
        if not title:
            continue
        order += 1
        points.append(
            f'<navPoint id="{item_id}" playOrder="{order}">'
            f"<navLabel><text>{escape(title)}</text></navLabel>"
            f'<content src="{href}"/></navPoint>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ncx version="2005-1" xmlns="http://www.daisy.org/z3986/2005/ncx/"><head>'
        f'<meta name="dtb:uid" content="{escape(unique_id())}"/>'
        '<meta name="dtb:depth" content="1"/>'
        '<meta name="dtb:totalPageCount" content="0"/>'
        '<meta name="dtb:maxPageNumber" content="0"/>'
        "</head>"
        f"<docTitle><text>{escape(META['title'])}</text></docTitle>"
        f"<navMap>{''.join(points)}</navMap></ncx>\n"
    )


def entries() -> list[tuple[str, str]]:
    """Every file of the book, in the order it is stored."""
    files = [
        ("mimetype", "application/epub+zip"),
        ("META-INF/container.xml", container_xml()),
        ("content.opf", content_opf()),
        ("toc.ncx", toc_ncx()),
        ("OEBPS/stylesheet.css", STYLESHEET),
        ("OEBPS/title_page.xhtml", title_page()),
        ("OEBPS/toc_page.xhtml", toc_page()),
    ]
    for index, (title, source) in enumerate(CHAPTERS, start=1):
        files.append((f"OEBPS/file{index:04d}.xhtml", chapter_page(index, title, source)))
    return files


def build(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as book:
        for name, text in entries():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3  # Unix, whatever platform builds it
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            book.writestr(info, text.encode("utf-8"), compresslevel=9)


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else OUTPUT
    build(target)
    print(f"wrote {target} ({word_count():,} words, {len(CHAPTERS)} chapters)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
