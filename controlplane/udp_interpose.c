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
 * else, UNIX sockets included, passes untouched.  Only this executable
 * links this file.
 * Thread: the su_root thread (Sofia's transports run there).
 */
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

#include "b2bua_priv.h"

ssize_t recvmsg(int fd, struct msghdr *msg, int flags);

typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);

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
