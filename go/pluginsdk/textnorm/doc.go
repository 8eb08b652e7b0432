// Package textnorm normalizes text before a policy plugin matches words in
// it, so that the text an author sees and the text a filter checks are the
// same words: "ＳＰＡＭ", "sp\u200bam", "spám" and "ѕраm" (Cyrillic) all
// become "spam".
//
// New applies, rune by rune: compatibility decomposition (NFKD, which covers
// NFKC's folding of full-width, ligature, super-script and mathematical
// letters), removal of combining marks (diacritics), removal of invisible
// format characters (zero-width space and joiners, soft hyphen, bidi
// controls, variation selectors), full case folding (ß → ss), folding of
// Cyrillic and Greek letters that look like Latin ones, and collapsing of
// white space runs into one space. It keeps a map from every byte of the
// result back to the original, so a match can be masked in the text as
// written.
//
// Plugin authors use it through String (for keys and comparisons) or New
// (to find and map back matches). The bundled wordfilter and spamguard
// plugins do.
package textnorm
