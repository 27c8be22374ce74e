/* SPDX-License-Identifier: BSD-3-Clause
 * The datagram pre-filter under Sofia-SIP's UDP transport (prefilter.h,
 * b2b_prefilter_datagram()): sbc-controlplane defines recvmsg(), exported
 * from the executable (meson export_dynamic), so that libsofia-sip-ua's
 * su_vrecv() reaches it first; it calls the C library's through
 * dlsym(RTLD_NEXT).
 *
 * A datagram the pre-filter refuses (a new request from a source no trunk
 * knows, one with too many header lines, a malformed Request-Line) never
 * reaches Sofia's parser: it is dropped, or answered once with a
 * stateless reply sent back to its source, and the call reports EAGAIN,
 * which Sofia's tport_recv_dgram() takes as "nothing to read yet".
 *
 * Only datagrams from an IPv4/IPv6 peer in a single buffer, read without
 * MSG_PEEK or MSG_ERRQUEUE, are looked at (Sofia's UDP receive); anything
 * else, UNIX sockets included, passes untouched.
 *
 * A read with no source address is Sofia's TCP receive (su_vrecv() on a
 * connection): on a connection the guard accepted (sip_conn.h) the bytes
 * read into the first buffer go through sbc_sip_conn_stream_in(), which
 * takes out the messages it refuses; when nothing is left it reads again,
 * so Sofia sees data, EAGAIN or the end of the stream, as from the kernel.
 * sendmsg() tells the guard whether Sofia's last write went whole.  Only
 * this executable links this file.
 * Thread: the su_root thread (Sofia's transports run there).
 */
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

#include "b2bua_priv.h"
#include "sip_conn.h"

ssize_t recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);

typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);
typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);

static bool tcp_send(void *ctx, const char *p, size_t n)
{
	return send(*(const int *)ctx, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n;
}

static ssize_t stream_recv(recvmsg_fn real, struct sbc_sip_conn *g, int fd, struct msghdr *msg,
			   int flags)
{
	struct msghdr one = *msg;
	size_t left;
	ssize_t n;

	one.msg_iovlen = 1;    /* the rest stays in the kernel for the next read */
	for (;;) {
		n = real(fd, &one, flags);
		if (n <= 0)
			return n;
		left = sbc_sip_conn_stream_in(g, fd, one.msg_iov[0].iov_base, (size_t)n, tcp_send,
					      &fd, b2b_mono_ms());
		msg->msg_flags = one.msg_flags;
		if (left > 0)
			return (ssize_t)left;
	}
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static recvmsg_fn real;
	static char reply[8192];
	const struct sockaddr *src;
	size_t rlen;
	ssize_t n;

	if (real == NULL) {
		real = (recvmsg_fn)dlsym(RTLD_NEXT, "recvmsg");
		if (real == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	if (msg->msg_name == NULL && msg->msg_iovlen >= 1 && !(flags & (MSG_PEEK | MSG_ERRQUEUE)) &&
	    sbc_sip_conn_installed() != NULL)
		return stream_recv(real, sbc_sip_conn_installed(), fd, msg, flags);
	n = real(fd, msg, flags);
	if (n <= 0 || (flags & (MSG_PEEK | MSG_ERRQUEUE)) || msg->msg_iovlen != 1 ||
	    msg->msg_name == NULL || msg->msg_namelen < sizeof(struct sockaddr) ||
	    (msg->msg_flags & MSG_TRUNC))
		return n;
	src = msg->msg_name;
	if (src->sa_family != AF_INET && src->sa_family != AF_INET6)
		return n;
	switch (b2b_prefilter_datagram(fd, src, msg->msg_iov[0].iov_base, (size_t)n, reply,
				       sizeof(reply), &rlen)) {
	case B2B_PF_PASS:
		return n;
	case B2B_PF_REPLY:
		/* To the datagram's source, never to a Via the sender chose. */
		(void)sendto(fd, reply, rlen, MSG_DONTWAIT | MSG_NOSIGNAL, src, msg->msg_namelen);
		break;
	case B2B_PF_DROP:
	default:
		break;
	}
	errno = EAGAIN;
	return -1;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static sendmsg_fn real;
	size_t want = 0;
	ssize_t n;

	if (real == NULL) {
		real = (sendmsg_fn)dlsym(RTLD_NEXT, "sendmsg");
		if (real == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	n = real(fd, msg, flags);
	if (msg->msg_name == NULL && sbc_sip_conn_installed() != NULL) {
		int e = errno;

		for (size_t i = 0; i < msg->msg_iovlen; i++)
			want += msg->msg_iov[i].iov_len;
		sbc_sip_conn_stream_out(sbc_sip_conn_installed(), fd, (long)n, want);
		errno = e;
	}
	return n;
}
