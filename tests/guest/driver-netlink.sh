#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The oio generic netlink family: nltest talks to it raw once the module
# is in. See tests/guest/nltest.c.
insmod /lib/modules/oio.ko || { echo "Bail out! insmod failed"; exit 1; }
exec /tests/nltest
