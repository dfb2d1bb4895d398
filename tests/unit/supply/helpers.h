/* Test helpers for the supply module: temporary directories, tar layers built
 * with libarchive at test time, and OCI layouts holding one image. */
#ifndef PAL_TEST_SUPPLY_HELPERS_H
#define PAL_TEST_SUPPLY_HELPERS_H

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "supply/digest.h"
#include "supply/layout.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

struct th_entry {
	char type; /* 'f' file, 'd' dir, 'l' symlink, 'h' hardlink, 'c' char dev */
	const char *path;
	const char *data; /* file content, or link target */
	unsigned mode;
};

static inline char *th_tmpdir(void)
{
	char *d = pal_xstrdup("/tmp/pal-supply-test-XXXXXX");
	if (!mkdtemp(d))
		abort();
	return d;
}

static inline void th_rmdir(char *d)
{
	struct pal_err err = {0};
	pal_rm_rf(d, &err);
	free(d);
}

/* An uncompressed tar in memory (caller frees). */
static inline unsigned char *th_tar(const struct th_entry *es, size_t n, size_t *len)
{
	size_t cap = 1 << 20;
	unsigned char *buf = pal_xmalloc(cap);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open_memory(a, buf, cap, len);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, es[i].path);
		archive_entry_set_mtime(e, 1700000000, 0);
		unsigned mode = es[i].mode ? es[i].mode : (es[i].type == 'd' ? 0755 : 0644);
		archive_entry_set_perm(e, mode);
		switch (es[i].type) {
		case 'f':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)strlen(es[i].data ? es[i].data : ""));
			break;
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, es[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, es[i].data);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_rdevmajor(e, 1);
			archive_entry_set_rdevminor(e, 3);
			break;
		}
		archive_write_header(a, e);
		if (es[i].type == 'f' && es[i].data)
			archive_write_data(a, es[i].data, strlen(es[i].data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return buf;
}

static inline unsigned char *th_gzip(const unsigned char *in, size_t len, size_t *out_len)
{
	z_stream z = {0};
	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	size_t cap = deflateBound(&z, len) + 64;
	unsigned char *out = pal_xmalloc(cap);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	*out_len = cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

static inline unsigned char *th_zstd(const unsigned char *in, size_t len, size_t *out_len)
{
	size_t cap = ZSTD_compressBound(len);
	unsigned char *out = pal_xmalloc(cap);
	*out_len = ZSTD_compress(out, cap, in, len, 3);
	return out;
}

static inline void th_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

/* Builds an OCI layout at dir with one image tagged tag whose layers are the
 * given tars (compression: 'n', 'g' gzip, 'z' zstd). Returns the manifest digest. */
static inline void th_make_image(const char *dir, const char *tag, const struct th_entry **layers,
				 const size_t *counts, size_t n_layers, char comp, char *digest_out)
{
	struct pal_err err = {0};
	struct sup_layout l;
	if (sup_layout_open(dir, SUP_LAYOUT_CREATE, &l, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		abort();
	}
	json_t *diff_ids = json_array(), *ldescs = json_array();
	for (size_t i = 0; i < n_layers; i++) {
		size_t tl = 0, bl = 0;
		unsigned char *tar = th_tar(layers[i], counts[i], &tl);
		unsigned char *blob = comp == 'g'   ? th_gzip(tar, tl, &bl)
				      : comp == 'z' ? th_zstd(tar, tl, &bl)
						    : (bl = tl, tar);
		char d[SUP_DIGEST_MAX], dd[SUP_DIGEST_MAX];
		sup_digest_compute(SUP_HASH_SHA256, tar, tl, dd);
		sup_layout_write_blob(&l, blob, bl, d, &err);
		json_array_append_new(diff_ids, json_string(dd));
		json_array_append_new(
		    ldescs, json_pack("{s:s, s:s, s:I}", "mediaType",
				      comp == 'g'   ? "application/vnd.oci.image.layer.v1.tar+gzip"
				      : comp == 'z' ? "application/vnd.oci.image.layer.v1.tar+zstd"
						    : "application/vnd.oci.image.layer.v1.tar",
				      "digest", d, "size", (json_int_t)bl));
		if (blob != tar)
			free(blob);
		free(tar);
	}
	json_t *cfg = json_pack("{s:s, s:s, s:{s:s, s:o}}", "architecture", "amd64", "os", "linux",
				"rootfs", "type", "layers", "diff_ids", diff_ids);
	char *ct = json_dumps(cfg, JSON_COMPACT);
	char cd[SUP_DIGEST_MAX];
	sup_layout_write_blob(&l, ct, strlen(ct), cd, &err);
	json_t *m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType",
			      "application/vnd.oci.image.manifest.v1+json", "config", "mediaType",
			      "application/vnd.oci.image.config.v1+json", "digest", cd, "size",
			      (json_int_t)strlen(ct), "layers", ldescs);
	char *mt = json_dumps(m, JSON_COMPACT);
	sup_layout_write_blob(&l, mt, strlen(mt), digest_out, &err);
	struct sup_desc desc = {.media_type = (char *)"application/vnd.oci.image.manifest.v1+json",
				.digest = digest_out,
				.size = (int64_t)strlen(mt)};
	if (sup_layout_put_manifest(&l, &desc, tag, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		abort();
	}
	free(ct);
	free(mt);
	json_decref(cfg);
	json_decref(m);
	sup_layout_close(&l);
}

#endif
