"""Every number the scanner decides with, in one place, each with why it has the value it has.

Darkness values are *relative*: 0 is this page's own paper, 1 is this page's own printed
black (measured inside the registration markers), averaged over a bubble's inner disc, so
the same thresholds hold for a pale copier scan, a dark phone photo, black or blue pen and
pencil. Tuned on generator seeds 0-99 (tests/scan, benchmarks/scan_bench.py); accuracy is
reported on seeds 1000+ that were never used for tuning.
"""

from __future__ import annotations

# --- Inputs -----------------------------------------------------------------------------

#: Pages in one file; a class pack is 30-60 pages, 300 is a whole school's pile.
MAX_PAGES = 300
#: Bytes in one upload; 300 pages of 200 dpi greyscale JPEG is about 60 MB.
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Pixels in one page image; an A4 page at 600 dpi is 35 Mpx, a 50 Mpx phone photo is the
#: largest honest input. More is a decompression bomb.
MAX_PAGE_PIXELS = 60_000_000
#: Resolution for vector PDF pages (no embedded scan): 200 dpi reads 4 mm bubbles reliably
#: and renders in about 8 ms.
DEFAULT_PDF_DPI = 200
#: Embedded scans finer than this are rendered at this resolution: finer costs time and
#: reads no better.
MAX_RENDER_DPI = 300
#: The largest PDF page (short, long side in points): A3, with 5 % for scanners that add a
#: margin. A 10 KB PDF can declare pages of 5 x 5 metres; they are refused before rendering.
MAX_PDF_PAGE_PT = (842 * 1.05, 1191 * 1.05)

# --- Decoding in a child process (scanner/sandbox.py) -----------------------------------

#: Processor seconds to open and check one file (a 300-page PDF takes about 1 s).
DECODE_OPEN_CPU_S = 30
#: Processor seconds to decode one page (a 200 dpi page takes 10-30 ms, a 60 Mpx photo 1 s).
DECODE_PAGE_CPU_S = 20
#: Wall-clock seconds either may take (a busy machine is slower than its CPU time says).
DECODE_WALL_S = 60
#: Address space of the decoding process: a 60 Mpx RGB TIFF needs about 0.5 GB to decode.
DECODE_MEMORY_BYTES = 2 * 1024**3
#: After this many decoder processes died on one file, its remaining pages are not tried.
DECODE_MAX_DEATHS = 3

# --- Finding the page ---------------------------------------------------------------------

#: Long side (px) of the reduced image the markers are searched on (each corner cut-out is
#: reduced to the same scale): about 100 dpi for an A4 scan, so a 9 mm marker is about
#: 35 px (5 px per module) and the four corners take ~2 ms instead of ~40 ms at full
#: resolution.
MARKER_SEARCH_LONG_SIDE = 1200
#: Markers are first looked for in corner regions this fraction of the width and height
#: (a marker sits within 25 mm of each edge, 12 % of the width; a tilted, shrunk or shifted
#: scan moves it a little).
MARKER_CORNER_FRACTION = 0.22
#: A page image whose shorter side is below this (px) is too small to hold a readable sheet
#: (an A4 sheet 300 px wide is 1.4 px per mm: a 4 mm bubble would be 6 px), so it is
#: refused with its own reason instead of failing somewhere inside the reader.
MIN_PAGE_SIDE_PX = 300
#: At least this many of the four markers: three still fix a homography (12 corners), and
#: two (a page skewed 5-7 degrees on the glass loses two opposite corners) fix rotation,
#: scale and shift, all a flatbed scan has; the QR must still be read.
MIN_MARKERS = 2
#: Resolution (dots per inch of the printed page) of the normalised, deskewed page image
#: that bubbles are measured on and that review shows. 120 dpi keeps a 4 mm bubble at 19 px
#: and a review crop legible (the smallest printed words, 7 pt column headings, still
#: read). Each step down was measured on the benchmark's 3,630 answers and the tuning
#: seeds: 150 -> 130 dpi gave the same decisions and 35 instead of 26 pages/s; 130 -> 120
#: the same decisions again, the empty/marked margins within 0.002 (photos' emptiest
#: bubbles 0.031 instead of 0.030) and photos 15-20 % faster (the warp, the stored JPEG
#: and the ring fits all scale with the pixels). At 110 the photos' empty bubbles reached
#: 0.035 and their faintest rings 0.24, too near `EMPTY_BELOW` and `RING_VISIBLE`.
NORMALISED_DPI = 120
#: Width (px) of the QR cut out of the page at its known place: about 7 px per module for a
#: version 3 code; at 200 px a quarter of blurred phone photos failed to decode.
QR_CROP_PX = 300
#: Pixels per QR module when only the symbol is cut out (later pages of a layout, where the
#: symbol's place is known): 3-5 px all decoded the benchmark's 40 photos and the ~1.5 ms
#: decode hardly depends on it; 4 leaves room for blur.
QR_MODULE_PX = 4
#: Modules of white kept around the symbol in that cut-out (a printed QR has 4): room for a
#: homography that is a little off near the page's corner.
QR_MARGIN_MODULES = 2
#: QR corner crops: fraction of the page's width and height searched around the expected
#: corner when the QR is not where a known layout says.
QR_CROP_FRACTION = 0.45

#: Blur (sigma, px of the scan and again of the normalised page) that turns a 1-bit dithered
#: scan back into grey:
#: a 100-150 dpi dither repeats every 1-2 normalised pixels.
DITHER_BLUR_PX = 1.2
#: The lighter blur the QR is read again with when it cannot be read after that one: at
#: 100-115 dpi a QR module is ~4 scan pixels, and 1.2 px smears a skewed page's past
#: decoding (0.6-0.8 px read every such page generated; docs/developing/scanner-figures.md).
DITHER_QR_BLUR_PX = 0.8
#: Share of a thin drawn line's contrast a 1-bit page keeps after that blur (twice, on the
#: scan and on the normalised page): a pen circle's line read 0.10-0.15 there, 0.30 on the
#: same page scanned in grey, and a mark between two answers 0.2-0.7 radii of ink instead
#: of 4-6, under `RING_INK` and `BETWEEN_INK`: read as no answer, with no flag. On such a
#: page the line searches (`RING_INK`, `STROKE_INK`, `BETWEEN_LINE`, `BETWEEN_BLOT`) use
#: their thresholds times this, and a circle seen only at the lowered threshold is at most
#: unsure (`darkness.darkness`). Tuning seeds 0-60, the 9 bank surveys, pages 1-bit, 1-bit
#: at 100-150 dpi, and skewed too (19,440 answers; docs/developing/scanner-figures.md):
#: silent errors 194 before, 55 at 0.8, 27 at 0.67; needless review 1,470 before, 1,716 at
#: 0.8, 2,127 at 0.67 (and 3 instead of 2 in
#: `test_a_1_bit_scan_is_decoded_pixel_for_pixel_and_read_as_1_bit`'s four pages).
DITHER_LINE_GAIN = 0.8
#: The line gain of the search for marks between two answers on a 1-bit page
#: (`one_bit.between_gain`; `BETWEEN_LINE` and `BETWEEN_BLOT` times this there): at 0.8 a
#: thin mark between two answers, its dots blurred back into grey, still read as no
#: answer. Tuning seeds 0-59, the 9 bank surveys, the first two pages of a class pack,
#: 1-bit / 1-bit at 100-150 dpi / skewed too (6,480 answers each), with `faint_from` and
#: `lifted` below in place: silent errors 7 / 18 / 10 at 0.8, 5 / 12 / 6 at 0.5; needless
#: review 66 / 204 / 214 and 67 / 205 / 214 (docs/developing/scanner-figures.md).
DITHER_BETWEEN_GAIN = 0.5
#: On a 1-bit page a bubble whose inside reads at least this much lighter than the page's
#: median bubble (or no darker than `DITHER_CLEAN`, on a page whose dots leave its
#: bubbles clean) with a ring under `DITHER_LIGHTER_RING_SHARE` of its row's is at least
#: unsure (`one_bit.lifted`): a circle drawn round it, or a mark between it and a
#: neighbour, darkens the bands its inside is measured against and the paper its ring is
#: compared with, so it reads lighter than the page's empty bubbles (which the dither's
#: noise leaves 0.009-0.024 dark) and its ring weaker. Tuning seeds 0-59 as above, the
#: rule off: 3 / 17 / 11 silent errors, 29 of the 31 circles read blank (ring share
#: 0.66-0.95; inside 0.005-0.02 under the page's median, or 0.0000-0.0002 on a page of
#: clean bubbles). Counted on that run's bubbles: 0.007, 0.001 and 0.87 catch 27 of the 31
#: for 4 clear answers sent to review (run: 1 / 3 / 0 silent errors); 0.008 and 0.95 with
#: no `DITHER_CLEAN` (first tried) 20 for 87; 0.007, 0.001 and 0.9 the same 27 for 22.
DITHER_LIGHTER = 0.007
DITHER_CLEAN = 0.001
DITHER_LIGHTER_RING_SHARE = 0.87

# --- Blank pages ------------------------------------------------------------------------

#: A page with fewer dark pixels than this fraction (after levelling the light) is the
#: blank back of a duplex scan, not an unreadable sheet. Printed sheets are above 3 %.
BLANK_DARK_FRACTION = 0.002

# --- Measuring a bubble -------------------------------------------------------------------

#: Search window for local re-registration, mm either way: copiers shift and printers
#: scale (97 %) the page, and a photographed page is not flat; the homography from the
#: corners leaves up to ~1.5 mm near the middle.
REREGISTER_MM = 1.6
#: A bubble's own offset may differ from its row's median offset by at most this (mm);
#: a scribble must not drag one bubble onto its neighbour.
ROW_OFFSET_TOLERANCE_MM = 0.6
#: Fraction of the radius measured: inside the printed ring, so the outline never counts
#: as a mark, but wide enough that a tick or cross through the middle does.
INNER_RADIUS_FRACTION = 0.72
#: A bubble's printed ring must be at least this much darker than the paper just outside
#: it (relative contrast). Below it the ring is hidden (a fold, a hand, a torn corner, a
#: damaged part of the image) and the bubble is unsure rather than read as empty. Measured
#: on seeds 1-2 at 150 dpi: empty rings 0.32-0.46 (photos lowest), marked bubbles 0.26+;
#: hidden ~0. At 120 dpi (seeds 0-53) the faintest empty ring is 0.27, on a photo.
RING_VISIBLE = 0.12
#: A pixel this much darker than paper (relative) counts as inked, for the coverage figure.
INK_PIXEL = 0.35

# --- Each bubble's own background, and marks around it ------------------------------------

#: The bands (in radii from the centre) just outside the printed ring that give a bubble
#: its own background: clear of the ring (its line and a re-registration error of ~1 px)
#: and inside the gap to the next bubble (2.8 radii at the closest, the 0-10 scale).
BAND_FROM = 1.3
BAND_TO = 1.65
#: At most this much (relative darkness) is taken away as background by the bands: a copier
#: streak reaches ~0.25, a hard phone shadow's step 0.5; a mark spilling over the ring on
#: both sides of the same column is far darker and keeps all but this of its darkness.
LOCAL_CAP = 0.6
#: What every bubble of a size shows at one place (faces above, labels, neighbours) is
#: learnt as the median over the page's bubbles when there are at least this many.
BASELINE_MIN_BUBBLES = 5
#: The annulus where a child's circle AROUND a bubble falls (radii): children draw it
#: 1.2-1.7 radii across, rarely tight on the printed ring.
RING_INNER = 1.1
RING_OUTER = 2.2
#: ... and at most this far (mm) outside the ring: round a big bubble the annulus would
#: reach the next row's printed labels.
RING_OUTER_MAX_MM = 4.5
#: Sectors of that annulus; a circle inks nearly all, a stray line or a label a few.
RING_SECTORS = 16
#: A pixel this much darker than the lightest within `LINE_WINDOW_PX` around it (after
#: `LINE_BLUR_PX`) is part of a line drawn round the bubble (a thin ballpoint line reads
#: 0.2-0.5; a shadow edge darkens broadly and reads ~0; a narrow streak crosses only 2 of
#: the 16 sectors).
RING_INK = 0.15
LINE_WINDOW_PX = 9
#: Blur (sigma, px) before looking for lines: a phone's noise in a deep shadow is single
#: pixels, a child's line is 1.5 px wide or more at 120 dpi.
LINE_BLUR_PX = 0.8
#: A sector holds new ink when it has this many radii's worth of inked pixels more than the
#: page's median for the same sector: a thin line crossing a sector inks about half a
#: radius of pixels (its length there), noise a scattered few.
SECTOR_INK = 0.25
#: Share of the sectors inked: a circle drawn round the bubble (closed or nearly: a 300
#: degree arc inks 13 of 16) reads as a mark; nearly half a circle or more is unsure (a
#: printed digit above a pupil-number bubble can leave 5 sectors of 16 after the median).
CIRCLE_MARKED = 0.6
CIRCLE_UNSURE = 0.4
#: A circle drawn so tight that part of it runs ON the printed ring cannot be told from the
#: ring there: it shows as an arc with a gap, and a quarter with no ink made it "not round"
#: (at most unsure, or blank when the arc was under half). Beside "every quarter inked", an
#: unbroken arc of at least this many of the 16 sectors, each inked and seen, is round too:
#: a straight stroke through the annulus inks at most 5 sectors in a row, a streak two
#: opposite runs of 2-3, and 10 is 225 degrees, so only a curve drawn round the bubble
#: gives it. An arc of `CIRCLE_ARC_UNSURE` (half the way round) is at least unsure. Unseen
#: sectors (a face, a neighbour's ring, an option's words) do not join the arc: counted
#: in, they made empty option bubbles "circled" by their own words and a neighbour's mark.
#: Tuning: a circle round one answer of every question on 60 + 120 + 120 clean sheets
#: (seeds 800-802, `tests.support.marks._circle`): 3 + 11 + 10 needless reviews and 1 + 0
#: + 1 silent blanks before, 2 + 5 + 4 and 0 + 0 + 1 after (with `bubbles._row_offset`);
#: the corpora of seeds 500/530/560 (clean, copier, photos: needless / silent): before
#: 1/0 18/1 5/0, 1/1 13/0 6/1, 6/0 18/2 4/0; after 0/0 16/1 5/0, 1/0 8/0 6/1, 4/0 14/2 3/0.
CIRCLE_ARC_SECTORS = 10
CIRCLE_ARC_UNSURE = 8
#: A circle that is not round (a quarter shows no ink) but inks at least this share of the
#: sectors seen is at least unsure: drawn a little high round an agree or confidence
#: answer, whose words printed above hide the top of the annulus, a circle running on the
#: ring along the bottom showed as two arcs of 5 either side of the top, 10 of 14 sectors,
#: and was read as no answer with no flag (circle set seed 802, `k_conf5`). At 0.6 nothing
#: else moved on the tuning seeds 500/530/560 (every decision the same) or the circle sets
#: 800-801 (the same needless reviews and silent errors); at 0.5 the
#: neighbours of circled answers (their annulus half inked by the circle next door) went to
#: review: 0 -> 33 needless reviews on 240 clean pages of seed 560, 4 -> 24 on circle set 801.
CIRCLE_MOSTLY_UNSURE = 0.6
#: Round a faces-row bubble (a face above it, its words below) only the left and right of
#: the annulus show a drawn circle (3 sectors each): a circle must ink at least this many
#: sectors on each of the two sides. 2 sent clear circles to review when one side ran tight
#: along the printed ring (5 circles on 240 clean pages of tuning seed 500); with 1, all
#: 311 of 312 circles read, and none of 9,100 empty faces-row bubbles (a mark between two
#: answers included) did.
CIRCLE_SIDE_SECTORS = 1
#: ... or, drawn tight and off-centre, the circle runs ON the printed ring on one side and
#: inks no sector there (`darkness._hugged`). It is then taken as round when every seen
#: sector of the other side is inked, the ring on the empty side is thickened by at least
#: `CIRCLE_HUG` (line pixels from 2.5 px inside the ring to the annulus, in radii, summed
#: over the side's seen sectors, less the row's median) and a line passes over the top, at
#: least `CIRCLE_CROWN` (line pixels, in radii, in the annulus from its start to
#: `CIRCLE_CROWN_TO` radii, over the four sectors at the top, less the row's median).
#: Tuning seeds 500/530/560 (all conditions) and the circle sets 800-802, faces-row
#: bubbles with one side fully inked and none on the other: 13 circles, 11 of them with
#: the ring thickened by 0.38-1.63 and a top of 2.4-6.6 (the other two at -0.14 and -0.10:
#: a 1-bit copy, and a line just clear of the ring, still review); 6 marks between two
#: answers thickened it by 0.24-0.43 (a copier streak down the ring, a photo's blur) but
#: their top read at most 0.62. Over 24,000 empty faces-row bubbles the top reads at most
#: 2.9 (99 % under 1.0).
CIRCLE_HUG = 0.3
CIRCLE_CROWN = 2.0
CIRCLE_CROWN_TO = 1.7
#: Line contrast (as `RING_INK`) that makes an inner pixel part of a drawn stroke, for the
#: share of the inner disc a faint mark draws (`darkness.Features.strokes`).
STROKE_INK = 0.12
#: A bubble with at least this much drawn line inside (`darkness.Features.strokes`, pixels
#: of line per radius, so a thin tick counts alike in a big bubble and a small one) is at
#: least unsure, however pale: faint but structured ink is a mark a person must see, never
#: a blank. Measured with `STROKE_INK` 0.12 on 240 copier pages of tuning seeds (400+):
#: ticks 1.6-10 (the faintest, darkness 0.014-0.04, at 6.9-8.9), crosses 5.9+; 8,561 empty
#: bubbles at most 1.2 but one at 3.2. Strokes running on through the bands of both sides
#: (a narrow streak along a row or column) are taken away first.
STROKES_UNSURE = 2.5
#: A circle drawn tight round the printed ring (children draw it 1.2 radii across, and
#: off-centre it touches the ring) falls partly inside the annulus searched for circles, and
#: the line darkens the paper the ring fit compares the ring with: a bubble with at least
#: this share of the annulus inked and a ring under this share of its row's median ring is
#: at least unsure. Tuning seeds (400+, 240 copier and 240 clean pages): the two circles
#: read blank had 0.35 and 0.79-0.82; 1 of 17,145 empty bubbles was caught. Tuning seed
#: 600 (240 copier pages): a circle read blank at 0.35 and 0.89, so 0.9; 3 of 24,000
#: empty bubbles are caught.
TIGHT_CIRCLE = 0.3
TIGHT_RING_SHARE = 0.9
#: Very light pencil shading reads as little as 0.013 (a 1-bit or 100-150 dpi copy), among
#: empty bubbles (up to 0.03 on photos), but it shades up to the ring, whose contrast then
#: drops to a median 0.8 of its row's: a bubble at least this dark with a ring under this
#: share of its row's is at least unsure. Tuning seeds (400+; 240 copier, 240 clean, 120
#: photo pages): the 5 light pencil marks under 0.04 had 0.74-0.92 and were all caught;
#: 5 of 21,500 empty bubbles were too. On a 1-bit page it counts from the page's median
#: bubble (`one_bit.faint_from`): the dither's noise makes every empty bubble read
#: 0.009-0.024 there (median 0.014), and this rule then sent 7 % of them to review at
#: 100-150 dpi ("a faint mark on ..."); light pencil reads 0.08 and up there.
FAINT_FROM = 0.01
FAINT_RING_SHARE = 0.95
#: Ink between two bubbles of a question (inked pixels in a small disc there, in radii of
#: the disc, above the page's median; a thin line across the disc is ~2): a mark between two
#: answers. Unless one of the two is clearly marked, both are unsure. In scale rows (3 or
#: more bubbles evenly spaced) it is looked for between the rings; in an option row (yes/no,
#: choice, tick all), which prints each option's words after its bubble, in the clear space
#: from those words to the next bubble (layouts that give the words' boxes). A thin tick
#: between two faces on a 1-bit dithered scan reads 0.77 (tests/scan/test_child_marks.py),
#: so 0.7.
BETWEEN_INK = 0.7
#: Where two rings of a scale row nearly touch (the 0-10 row on pupil sheets: 2.4 radii
#: apart, 0.4 radii of paper between the rings), no disc fits between them: one disc of
#: this many radii over the middle is looked at instead, less both bubbles' insides and
#: printed rings (`RING_CLEAR_PX` beyond the ring), which leaves the gap and the paper
#: above and below it. A cross drawn in that gap, its arms over both rings and inside
#: neither bubble, was read as no answer with no flag (tuning seeds 535 clean, 635 copier).
TIGHT_BETWEEN_RADIUS = 0.6
RING_CLEAR_PX = 2.5
#: ... and ink there counts from this much (as `BETWEEN_INK`): less of the disc is left to
#: ink, and nothing is printed there. Tuning seeds 535/635/735 (47 pages of each
#: condition, 10 such discs a page): every disc beside no mark read 0.00; a small tick
#: between two 0-10 bubbles 0.64, a cross 0.8.
TIGHT_BETWEEN_INK = 0.3
#: ... where, as in an option row's gap, a pixel this much darker than the paper (relative)
#: is ink too: a zig-zag there, blurred by a copier into one grey patch, reads 0.3-0.4 and
#: is neither a line nor a blot. A copier streak reaches 0.2-0.25.
TIGHT_BETWEEN_SOLID = 0.3
#: In an option row the discs keep this many radii clear of the end of the words (the
#: last letter's blur, and the words' place taken from their bubble's).
OPTION_GAP_CLEAR = 0.25
#: ... and neither of the two scores this much (a fill, a tick or a drawn circle, whose spill it
#: may be; a mark between two digits that grazes one reads 0.07 there).
BETWEEN_SPILL_FROM = 0.1
#: ... and between two touching rings (`TIGHT_BETWEEN_RADIUS`), from this much: a mark
#: between them reaches into both bubbles. A fill there (paper walk seed 2900: between "0"
#: and "1" of the 0-10 row) read 0.10-0.32 in the nearer one, and at `BETWEEN_SPILL_FROM`
#: was stored as that answer with no flag: 24 of 200 fills and 5 of 200 of the
#: generator's marks between two answers, report seeds 2000-2199 (0 and 0 now). The
#: generator's marks between two answers reached 0.35 on tuning seeds 0-99. Marks in a
#: bubble of that row whose spill is seen there: circles 0.5, fills 0.85, a rare scribble
#: 0.29-0.44, which now goes to review (2 of 100 scribbles, report seeds 2000-2099).
TIGHT_SPILL_FROM = 0.45
#: Line contrast counted there: higher than `RING_INK`, because one line is enough here and
#: the edge of a narrow copier streak (up to ~0.2) must not be one.
BETWEEN_LINE = 0.4
#: ... also looked for with a window this wide (px): a child's zig-zag between two faces
#: draws lines 2-4 px apart, which `LINE_WINDOW_PX` closes over as one pale patch (it read
#: 0.19, tuning seed 500, clean); a streak's edge stays under `BETWEEN_LINE` either way.
BETWEEN_HATCH_PX = 5
#: A blot there (a fill between two answers, up to 4 `LINE_WINDOW_PX` across) is darker
#: than what closes over it by this much: pen fills read 0.7-1.
BETWEEN_BLOT = 0.6
#: In an option row's gap (clear paper by design) a pixel this much darker than the paper
#: there (relative) is ink too: a fill between two options can join the words and the
#: next ring, too wide for the top-hat to close over. A hard phone shadow's step reads up
#: to ~0.5, and the page's median over the gaps is taken away as well.
BETWEEN_SOLID = 0.6
#: ... and a blot there counts from this much (`BETWEEN_BLOT` elsewhere): a scribble or a
#: small tick between two options, blurred by a 100-150 dpi copier or a phone into one
#: grey patch, read 0.44-0.56 and was stored as no answer (paper walk seed 3000: "Less
#: than this year" and "About the same"). A top-hat closes over no shadow's step, and a
#: narrow copier streak reaches 0.2-0.25. One mark between two options a page (4 surveys
#: with option rows, 200 pages each; docs/developing/scanner-figures.md), stored wrong at
#: 0.6 / 0.35: tuning seeds 0-199, copier 6 / 0, 100-150 dpi 13 / 1, phone shadow 16 / 5;
#: report seeds 3000-3199, 11 / 0, 7 / 0, 26 / 9. Clear answers sent to review: the same.
GAP_BLOT = 0.35
#: A printed face (faces sheets) darker than the page's clean faces by this much relative
#: darkness is coloured in: the child marked the face instead of the circle. Measured on
#: copier scans and photos (3 pages each): red, blue, purple and green crayon 0.33-0.5,
#: orange 0.23+, yellow (pale on a greyscale scan) 0.12-0.17; clean faces at most 0.012, a
#: 40-level copier streak straight through a face 0.055.
FACE_MARKED = 0.1
FACE_UNSURE = 0.07

# --- Deciding ---------------------------------------------------------------------------

#: Below this a bubble is clearly empty. Measured with `scan_bench.py --tune` (seeds 0-53,
#: 7,500 empty bubbles per condition): empty bubbles read 0.000 on clean scans, at most
#: 0.009 on copier scans and 0.031 on phone photos (noise, JPEG, uneven light, doodles).
EMPTY_BELOW = 0.04
#: Above this a bubble is clearly marked. The faintest deliberate marks measured (minimum
#: over ~200 of each): a blue ballpoint tick 0.073, a black tick 0.079, a scribble 0.119, a
#: pen cross 0.128, light pencil shading 0.253, a fill 0.715. Between the two thresholds:
#: review. The band sits in the middle of the gap between empty and marked.
MARKED_ABOVE = 0.06
#: A crossed-out fill (filled, then crossed through to cancel) is as dark as a fill;
#: beside another clear mark it is "two marks" and goes to review, never guessed.
#: A mark's confidence is its distance above `MARKED_ABOVE` divided by this, clipped to 0-1
#: (an empty bubble's is its distance below `EMPTY_BELOW` as a fraction of it).
CONFIDENCE_SPAN = 0.08
#: Minimum contrast between paper and printed black; below it the page is too dark, too
#: washed out or not one of our sheets.
MIN_CONTRAST = 60
