#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# make shell, driven as a person would: tmux runs it on a terminal, the
# test types into it (send-keys) and reads the screen (capture-pane). It
# fails if the root shell does not come up, or if oioctl, the man page,
# completion or fault injection from the guest do not work in it. TAP.
#
# usage: shell-test.sh (from the top of the repository, after the Debian
# image and payload are built; make check does that)
set -u
sess=oio-shell-test-$$
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}

screen() {
	tmux -L "$sess" capture-pane -p -J -S -300 -t "$sess" 2>/dev/null
}

# wait_screen SECONDS PATTERN: until a screen line matches (grep -E).
wait_screen() {
	end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt "$end" ]; do
		screen | grep -qE "$2" && return 0
		sleep 0.5
	done
	return 1
}

# type_line TEXT: type TEXT and Enter at the shell.
type_line() {
	tmux -L "$sess" send-keys -t "$sess" -l "$1"
	tmux -L "$sess" send-keys -t "$sess" Enter
}

cleanup() {
	tmux -L "$sess" kill-server 2>/dev/null
}
trap cleanup EXIT

tmux -L "$sess" new-session -d -s "$sess" -x 160 -y 50 \
	"make -s shell CARDS=2 SEED=5; echo shell-exit=\$?; sleep 600"
wait_screen 300 '^root@oio-lab:~# '
ok $? "make shell: a root prompt on the console"
wait_screen 5 'Inject a fault from here'
ok $? "the banner says how to inject a fault"

type_line 'echo CARDS=$(oioctl list | grep -cE " oio[0-9]+ ")'
wait_screen 30 '^CARDS=2$'
ok $? "oioctl list: 2 cards"
type_line 'echo MAN=$(man -w oioctl)'
wait_screen 30 '^MAN=/usr/share/man/man8/oioctl.8'
ok $? "man oioctl is installed"
tmux -L "$sess" send-keys -t "$sess" -l 'oioctl telem'
tmux -L "$sess" send-keys -t "$sess" Tab
wait_screen 20 'oioctl telemetry $'
ok $? "bash completion: 'oioctl telem<Tab>' completes to telemetry"
tmux -L "$sess" send-keys -t "$sess" C-u
type_line 'vmctl qom-set /machine/peripheral/oio0 laser-fail-mask 4 && echo LINE2=$(cat /sys/class/oio/oio0/laser2/status)'
wait_screen 30 '^LINE2=failed$'
ok $? "fault injected from the guest: vmctl fails line 2 through QMP"
type_line 'echo SENSORS=$(sensors | grep -c "^laser7 power:")'
wait_screen 30 '^SENSORS=2$'
ok $? "sensors: laser7 power on both cards"
type_line 'poweroff'
wait_screen 120 '^shell-exit=0$'
ok $? "poweroff ends make shell with status 0"
if [ "$failed" -ne 0 ]; then
	screen | tail -n 40 | sed 's/^/# /'
fi
echo "1..$n"
exit $failed
