#include "net.h"

#include "common/cleanup.h"
#include "common/strutil.h"
#include "common/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int out_net_split_hostport(const char *addr, char **host, char **port, struct pal_err *err)
{
	if (!addr || !*addr)
		return pal_err_set(err, EINVAL, "empty address: give host:port");
	const char *colon;
	const char *h;
	size_t hlen;
	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');
		if (!close || close[1] != ':')
			return pal_err_set(err, EINVAL,
					   "address '%s': an IPv6 address reads [addr]:port", addr);
		h = addr + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || strchr(addr, ':') != colon)
			return pal_err_set(err, EINVAL,
					   "address '%s' must be host:port (IPv6 as [addr]:port)",
					   addr);
		h = addr;
		hlen = (size_t)(colon - addr);
	}
	const char *p = colon + 1;
	uint64_t num;
	if (hlen == 0 || pal_parse_uint64(p, &num) < 0 || num == 0 || num > 65535)
		return pal_err_set(err, EINVAL, "address '%s': need a host and a port in 1..65535",
				   addr);
	*host = pal_xstrndup(h, hlen);
	*port = pal_xstrdup(p);
	return 0;
}

void out_conn_init(struct out_conn *c)
{
	pthread_mutex_init(&c->lock, NULL);
	c->fd = -1;
	c->aborted = false;
}

void out_conn_destroy(struct out_conn *c)
{
	out_conn_close(c);
	pthread_mutex_destroy(&c->lock);
}

void out_conn_close(struct out_conn *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	pthread_mutex_unlock(&c->lock);
}

void out_conn_interrupt(struct out_conn *c)
{
	pthread_mutex_lock(&c->lock);
	c->aborted = true;
	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&c->lock);
}

/* Publishes a fresh socket so that interrupt can reach it; false if aborted. */
static bool conn_adopt(struct out_conn *c, int fd)
{
	pthread_mutex_lock(&c->lock);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = fd;
	bool ok = !c->aborted;
	pthread_mutex_unlock(&c->lock);
	return ok;
}

static void set_timeouts(int fd, uint32_t timeout_ms)
{
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Non-blocking connect bounded by the time left; the socket is made blocking again. */
static int connect_timed(int fd, const struct sockaddr *sa, socklen_t len, uint64_t deadline)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	int r = connect(fd, sa, len);
	if (r < 0 && errno != EINPROGRESS)
		return -errno;
	if (r < 0) {
		for (;;) {
			uint64_t now = pal_time_monotonic_ns();
			if (now >= deadline)
				return -ETIMEDOUT;
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			int n = poll(&p, 1, (int)((deadline - now) / 1000000ull) + 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			if (n == 0)
				return -ETIMEDOUT;
			break;
		}
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			return -errno;
		if (soerr)
			return -soerr;
	}
	if (fcntl(fd, F_SETFL, fl) < 0)
		return -errno;
	return 0;
}

int out_conn_connect_inet(struct out_conn *c, const char *host, const char *port, int socktype,
			  uint32_t timeout_ms, struct pal_err *err)
{
	uint64_t deadline = pal_time_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = socktype};
	struct addrinfo *res = NULL;
	int gr = getaddrinfo(host, port, &hints, &res);
	if (gr != 0)
		return pal_err_set(err, gr == EAI_SYSTEM ? errno : EHOSTUNREACH,
				   "resolve %s:%s: %s", host, port, gai_strerror(gr));
	int last = ECONNREFUSED;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			last = errno;
			continue;
		}
		if (!conn_adopt(c, fd)) {
			freeaddrinfo(res);
			out_conn_close(c);
			return pal_err_set(err, ECANCELED, "connect %s:%s: interrupted", host,
					   port);
		}
		int r = connect_timed(fd, ai->ai_addr, ai->ai_addrlen, deadline);
		if (r == 0) {
			set_timeouts(fd, timeout_ms);
			freeaddrinfo(res);
			return 0;
		}
		last = -r;
		out_conn_close(c);
	}
	freeaddrinfo(res);
	return pal_err_sys(err, last, "connect %s:%s", host, port);
}

int out_conn_connect_unix_dgram(struct out_conn *c, const char *path, uint32_t timeout_ms,
				struct pal_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return pal_err_set(err, ENAMETOOLONG,
				   "unix socket path %s is longer than %zu bytes", path,
				   sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return pal_err_sys(err, errno, "socket for %s", path);
	if (!conn_adopt(c, fd)) {
		out_conn_close(c);
		return pal_err_set(err, ECANCELED, "connect %s: interrupted", path);
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		out_conn_close(c);
		return pal_err_sys(err, e, "connect unix socket %s", path);
	}
	set_timeouts(fd, timeout_ms);
	return 0;
}

int out_conn_send_all(struct out_conn *c, const void *data, size_t len)
{
	/* Only the worker replaces fd, and the worker is the caller: no lock needed to read it. */
	int fd = c->fd;
	if (fd < 0)
		return -ENOTCONN;
	const char *p = data;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
