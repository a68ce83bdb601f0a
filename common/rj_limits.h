/* The limits of renja in one place: each bounds one thing and says why.
 * The daemon, the store and the CLI use these names, never the numbers.
 *
 * Who decides what. The method list (rj_methods.def) decides what needs
 * only the method: the role a call needs and whether it reads or writes. The store
 * decides what needs the data: whether an editor's change touches items of
 * its own bidang, whether a plan is locked, whether a key changed after the
 * author's base. The request field limits below are checked by the daemon
 * on arrival, before either.
 */
#ifndef RJ_LIMITS_H
#define RJ_LIMITS_H

/* --- identifiers ------------------------------------------------------------ */

/* A buffer for any canonical kode (program tree, rekening, tujuan or
 * sasaran), with the NUL: the longest, a sub kegiatan "2.17.01.1.01.0001"
 * or a rekening "5.1.02.01.01.0001", is 17 bytes. */
#define RJ_KODE_MAX 32

/* A plan id, "opd-slug/tahun": a slug of 2..RJ_SLUG_MAX characters, '/', a
 * four-digit year. A longer string is no plan id; it is refused as not found
 * without a lookup. */
#define RJ_SLUG_MAX 64
#define RJ_PLAN_ID_MAX (RJ_SLUG_MAX + 5)

/* A stage name: 1..64 of [a-z0-9-], the first not '-'. */
#define RJ_STAGE_NAME_MAX 64

/* A token's name: 1..128 bytes, unique among the tokens. */
#define RJ_TOKEN_NAME_MAX 128

/* A buffer for a printed token, with the NUL: "rjt_" and 64 hex digits of
 * 256 random bits are 68 bytes. A longer presented token is refused
 * unread. */
#define RJ_TOKEN_MAX 80

/* --- money and figures ---------------------------------------------------------- */

/* The largest pagu or realisasi anggaran of one item or line, Rp 1.000
 * triliun. Reads add pagu up the tree in int64; with this bound a subtree
 * overflows only past ~9,000 items at the bound, where the largest
 * provincial APBD is under a tenth of one. */
#define RJ_PAGU_MAX 1000000000000000LL

/* Lokasi in the breakdown of one realisasi (kab/kota of a province, with
 * room), and the largest value of a row: 10^11 in e4 (fixed point, four
 * decimals), so that no sum of a breakdown leaves int64. */
#define RJ_BREAKDOWN_MAX 1000
#define RJ_BREAKDOWN_VALUE_MAX 1000000000000000LL

/* --- requests -------------------------------------------------------------------- */

/* Changes in one submit: one revision is written in one transaction of the
 * writer thread, which every other write waits for. */
#define RJ_SUBMIT_MAX_CHANGES 200000

/* Stages (refs) in one compare. A year has a handful of tahapan. The answer
 * holds one value per row and ref, so refs without a bound let one request
 * of a big plan take the memory of the whole daemon (100,000 refs x 100,000
 * lines). */
#define RJ_COMPARE_MAX_REFS 64

/* --- request string fields ------------------------------------------------------- */

/* Every string field of a request (plan ids, refs, kodes, names, bidang) is
 * at most this long unless its method declares it free text (the text
 * column of rj_methods.def): echoed in an error message,
 * a 10 KB one would push the reason out of it (messages are cut at
 * RJ_DIAG_MAX). Free text (a revision's message, a plan's nama, a lock's
 * reason) is bounded only by the message limit. Top-level fields only:
 * kodes inside a submit's changes are checked where they are parsed. */
#define RJ_FIELD_MAX 200

/* How much of a bad input an error message quotes: enough to recognise it,
 * short enough to leave room for what was wrong and what was expected. */
#define RJ_QUOTE_MAX 80

/* --- the store's keys --------------------------------------------------------------- */

/* A value's key with its NUL: "item/<kode>", "line/<kode>", "goal/<kode>"
 * or, the longest, "real/<kode>/<tw>/<ind>" (5 + 31 + 2 + 3 + 1 = 42 bytes
 * with RJ_KODE_MAX 32); room to spare. */
#define RJ_VKEY_MAX 96

/* An LMDB key being built: LMDB's largest key is 511 bytes (its default
 * MDB_MAXKEYSIZE), so every key fits. */
#define RJ_LMDB_KEY_MAX 512

#endif
