#!/bin/sh
# How well the importer names the encoding of a file that is not UTF-8 (lib/io/import_src.c),
# measured line by line, the hardest case (a whole file has many more bytes to go by):
#  - Vietnamese: the Vietnamese labels of the vocabularies and provinces (data/), in
#    Windows-1258 (by iconv), each line alone;
#  - Latin-1: 500 lines of three French, Spanish, Portuguese and German words, in ISO-8859-1;
#  - Windows-1252: the same with typographic quotes (bytes 0x80-0x9F).
# None of these were used to choose the rule's bytes.
set -eu
cd "$(dirname "$0")/.."
make -s build/tools/guess_encoding
G=build/tools/guess_encoding
W=${BENCH_DIR:-build/bench}
mkdir -p "$W"
python3 - "$W" <<'PY'
import csv, glob, random, sys
w = sys.argv[1]
vi = []
for f in sorted(glob.glob("data/vocab/*.csv") + glob.glob("data/geo/*.csv")):
    for row in csv.DictReader(open(f, encoding="utf-8")):
        for k in ("label_vi", "name_vi", "name"):
            if row.get(k):
                vi.append(row[k])
open(w + "/vi.txt", "w", encoding="utf-8").write("\n".join(vi) + "\n")
# five labels to a line: a row of a spreadsheet with a name, an address, a place...
open(w + "/vi5.txt", "w", encoding="utf-8").write(
    "\n".join(", ".join(vi[i:i + 5]) for i in range(0, len(vi), 5)) + "\n")
words = ("José García Muñoz Peña Bogotá París Français élève café naïve Zürich Müller Straße "
         "Köln Göteborg São Paulo João Conceição coração Ação informação Île-de-France Noël "
         "crème brûlée Señora año niño Málaga Cádiz Évora Brücke Gauß Genève").split()
r = random.Random(1)
lines = [" ".join(r.sample(words, 3)) for _ in range(500)]
open(w + "/l1.txt", "wb").write("\n".join(lines).encode("latin-1") + b"\n")
open(w + "/w1252.txt", "wb").write("\n".join("\u201c" + l + "\u201d" for l in lines).encode("cp1252") + b"\n")
PY
# iconv writes Vietnamese in Windows-1258 as Windows does: base letters and combining tones
iconv -f UTF-8 -t WINDOWS-1258 "$W/vi.txt" | $G WINDOWS-1258
iconv -f UTF-8 -t WINDOWS-1258 "$W/vi5.txt" | $G WINDOWS-1258 | sed 's/lines/rows of 5/' 
$G ISO-8859-1 <"$W/l1.txt"
$G WINDOWS-1252 <"$W/w1252.txt"
