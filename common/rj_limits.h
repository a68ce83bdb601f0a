/* The limits of renja in one place: each bounds one thing and says why.
 * The daemon, the store and the CLI use these names, never the numbers.
 *
 * Who decides what. The daemon's method table decides what needs only the
 * method: the role a call needs and whether it reads or writes. The store
 * decides what needs the data: whether an editor's change touches items of
 * its own bidang, whether a plan is locked, whether a key changed after the
 * author's base. The request field limits below are checked by the daemon
 * on arrival, before either.
 */
#ifndef RJ_LIMITS_H
#define RJ_LIMITS_H

/* --- identifiers ------------------------------------------------------------ */

/* A plan id, "opd-slug/tahun": a slug of 2..RJ_SLUG_MAX characters, '/', a
 * four-digit year. A longer string is no plan id; it is refused as not found
 * without a lookup. */
#define RJ_SLUG_MAX 64
#define RJ_PLAN_ID_MAX (RJ_SLUG_MAX + 5)

/* A stage name: 1..64 of [a-z0-9-], the first not '-'. */
#define RJ_STAGE_NAME_MAX 64

/* A token's name: 1..128 bytes, unique among the tokens. */
#define RJ_TOKEN_NAME_MAX 128

/* --- request fields -------------------------------------------------------------- */

/* Every string field of a request (plan ids, refs, kodes, names, bidang) is
 * at most this long unless declared free text: echoed in an error message,
 * a 10 KB one would push the reason out of it (messages are cut at
 * RJ_DIAG_MAX). Free text (a revision's message, a plan's nama, a lock's
 * reason) is bounded only by the message limit. Top-level fields only:
 * kodes inside a submit's changes are checked where they are parsed. */
#define RJ_FIELD_MAX 200

/* --- the store's keys --------------------------------------------------------------- */

/* A value's key with its NUL: "item/<kode>", "line/<kode>", "goal/<kode>"
 * or, the longest, "real/<kode>/<tw>/<ind>" (5 + 31 + 2 + 3 + 1 = 42 bytes
 * with RJ_KODE_MAX 32); room to spare. */
#define RJ_VKEY_MAX 96

/* An LMDB key being built: LMDB's largest key is 511 bytes (its default
 * MDB_MAXKEYSIZE), so every key fits. */
#define RJ_LMDB_KEY_MAX 512

#endif
