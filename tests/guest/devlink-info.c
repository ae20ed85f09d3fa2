// SPDX-License-Identifier: GPL-2.0-only
/*
 * devlink-info BUS DEV: `devlink dev info BUS/DEV` for a guest that has no
 * iproute2, talking generic netlink on a raw socket (no libnl), one
 * "key value" line per field:
 *
 *   driver oio
 *   serial_number 10000051
 *   fixed board.id OIO-E8x8
 *   running fw 1.4.2
 *
 * Exit status 0, 1 if the kernel refused (its errno is printed on stderr),
 * 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#define BUF_SIZE 16384

struct request {
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	char attrs[512];
};

static void put_attr(struct request *req, uint16_t type, const void *data,
		     size_t len)
{
	struct nlattr *nla = (struct nlattr *)((char *)req +
					       NLMSG_ALIGN(req->nlh.nlmsg_len));

	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	memcpy((char *)nla + NLA_HDRLEN, data, len);
	req->nlh.nlmsg_len = NLMSG_ALIGN(req->nlh.nlmsg_len) +
			     NLA_ALIGN(nla->nla_len);
}

static void put_str(struct request *req, uint16_t type, const char *s)
{
	put_attr(req, type, s, strlen(s) + 1);
}

static void start(struct request *req, uint16_t family, uint8_t cmd,
		  uint32_t seq)
{
	memset(req, 0, sizeof(*req));
	req->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req->nlh.nlmsg_type = family;
	req->nlh.nlmsg_flags = NLM_F_REQUEST;
	req->nlh.nlmsg_seq = seq;
	req->genl.cmd = cmd;
	req->genl.version = 1;
}

/*
 * Send a request and receive its one reply message into buf. Return the
 * reply, or NULL with errno set (from the kernel's error message if any).
 */
static struct nlmsghdr *transact(int fd, struct request *req, char *buf)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nlh;
	ssize_t n;
	int len;

	if (sendto(fd, req, req->nlh.nlmsg_len, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return NULL;
	for (;;) {
		n = recv(fd, buf, BUF_SIZE, MSG_TRUNC);
		if (n < 0)
			return NULL;
		if (n > BUF_SIZE) {
			errno = EMSGSIZE;
			return NULL;
		}
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != req->nlh.nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				errno = e->error ? -e->error : EPROTO;
				return NULL;
			}
			return nlh;
		}
	}
}

/* Attributes of a generic netlink message or of a nested attribute. */
#define for_each_attr(a, base, len)					\
	for (a = (struct nlattr *)(base);				\
	     (char *)a + NLA_HDRLEN <= (char *)(base) + (len) &&		\
	     a->nla_len >= NLA_HDRLEN &&				\
	     (char *)a + a->nla_len <= (char *)(base) + (len);		\
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

static void *attr_data(struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static int attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

/* A string attribute, printable even if the kernel forgot the NUL. */
static const char *attr_str(struct nlattr *a)
{
	static char s[256];
	int len = attr_len(a);

	if (len >= (int)sizeof(s))
		len = sizeof(s) - 1;
	memcpy(s, attr_data(a), len);
	s[len] = '\0';
	return s;
}

static void print_version(const char *kind, struct nlattr *nest)
{
	char name[256] = "?";
	struct nlattr *a;

	for_each_attr(a, attr_data(nest), attr_len(nest)) {
		switch (a->nla_type & NLA_TYPE_MASK) {
		case DEVLINK_ATTR_INFO_VERSION_NAME:
			snprintf(name, sizeof(name), "%s", attr_str(a));
			break;
		case DEVLINK_ATTR_INFO_VERSION_VALUE:
			printf("%s %s %s\n", kind, name, attr_str(a));
			break;
		}
	}
}

static int family_id(int fd, char *buf)
{
	struct nlmsghdr *nlh;
	struct request req;
	struct nlattr *a;

	start(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	put_str(&req, CTRL_ATTR_FAMILY_NAME, DEVLINK_GENL_NAME);
	nlh = transact(fd, &req, buf);
	if (!nlh)
		return -1;
	for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		      nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN))
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)attr_data(a);
	errno = ENOENT;
	return -1;
}

int main(int argc, char **argv)
{
	static char buf[BUF_SIZE];
	struct nlmsghdr *nlh;
	struct request req;
	struct nlattr *a;
	int fd, family;

	if (argc != 3) {
		fprintf(stderr, "usage: %s BUS DEV (e.g. pci 0000:01:00.0)\n",
			argv[0]);
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("devlink-info: socket");
		return 1;
	}
	family = family_id(fd, buf);
	if (family < 0) {
		perror("devlink-info: devlink family");
		return 1;
	}
	start(&req, family, DEVLINK_CMD_INFO_GET, 2);
	put_str(&req, DEVLINK_ATTR_BUS_NAME, argv[1]);
	put_str(&req, DEVLINK_ATTR_DEV_NAME, argv[2]);
	nlh = transact(fd, &req, buf);
	if (!nlh) {
		fprintf(stderr, "devlink-info: %s/%s: %s\n", argv[1], argv[2],
			strerror(errno));
		return 1;
	}
	for_each_attr(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
		      nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN)) {
		switch (a->nla_type & NLA_TYPE_MASK) {
		case DEVLINK_ATTR_INFO_DRIVER_NAME:
			printf("driver %s\n", attr_str(a));
			break;
		case DEVLINK_ATTR_INFO_SERIAL_NUMBER:
			printf("serial_number %s\n", attr_str(a));
			break;
		case DEVLINK_ATTR_INFO_VERSION_FIXED:
			print_version("fixed", a);
			break;
		case DEVLINK_ATTR_INFO_VERSION_RUNNING:
			print_version("running", a);
			break;
		case DEVLINK_ATTR_INFO_VERSION_STORED:
			print_version("stored", a);
			break;
		}
	}
	close(fd);
	return 0;
}
