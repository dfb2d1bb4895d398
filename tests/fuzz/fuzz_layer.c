/* Layer unpacking (gzip/zstd/plain tar with whiteouts) into a scratch root
 * that is emptied after every input. */
#include "common/fsutil.h"
#include "common/strutil.h"
#include "supply/unpack.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char *scratch;

static void cleanup(void)
{
	struct pal_err err = {0};
	if (scratch)
		pal_rm_rf(scratch, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pal_err err = {0};
	if (!scratch) {
		scratch = pal_xstrdup("/tmp/pal-fuzz-layer-XXXXXX");
		if (!mkdtemp(scratch))
			abort();
		atexit(cleanup);
	}
	char root[4200];
	snprintf(root, sizeof(root), "%s/root", scratch);
	pal_rm_rf(root, &err);
	mkdir(root, 0755);
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = memfd_create("layer", MFD_CLOEXEC);
	if (rootfd < 0 || fd < 0 || pal_write_all(fd, data, size) < 0)
		abort();
	lseek(fd, 0, SEEK_SET);
	struct sup_unpack_opts o = {.no_chown = true, .max_bytes = 64u << 20, .max_entries = 4096};
	sup_layer_unpack(fd, NULL, NULL, rootfd, &o, NULL, &err);
	close(fd);
	close(rootfd);
	return 0;
}
