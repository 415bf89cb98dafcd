/*
 * guess_encoding.c - measures the importer's guess of a file's encoding (import_src.h) line by
 * line: reads lines of text in one known encoding on standard input and prints how many lines
 * holding a byte above 0x7F are guessed as that encoding. Used by bench/encoding_guess.sh.
 *
 *   guess_encoding WINDOWS-1258 < lines
 */
#include <stdio.h>
#include <string.h>

#include "import_src.h"

int main(int argc, char **argv)
{
	char line[4096];
	long n = 0, ok = 0;
	if (argc != 2) {
		fprintf(stderr, "usage: guess_encoding ENCODING < lines\n");
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		size_t len = strlen(line);
		int high = 0;
		for (size_t i = 0; i < len; i++)
			high |= (unsigned char)line[i] >= 0x80;
		if (!high)
			continue;
		n++;
		ok += !strcmp(ctip_src_guess_encoding((const unsigned char *)line, len, len),
		              argv[1]);
	}
	printf("%-14s %4ld of %4ld lines guessed right (%.1f%%)\n", argv[1], ok, n,
	       n ? 100.0 * (double)ok / (double)n : 0.0);
	return 0;
}
