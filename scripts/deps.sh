# Sourced by scripts/*.sh: the Debian packages Rampart builds, tests and
# demonstrates with, and a function that installs whichever are missing.
RAMPART_BUILD_DEPS="gcc pkg-config meson ninja-build python3
  libdpdk-dev dpdk dpdk-dev libsrtp2-dev libsofia-sip-ua-dev libssl-dev libyaml-dev
  libcunit1-dev libpcap-dev libnuma-dev libmicrohttpd-dev openssl iproute2 ethtool sip-tester
  python3-cryptography dnsmasq-base curl prometheus clang libclang-rt-14-dev go-md2man"
# Third-party SIP user agents that tests/e2e/real_peers.sh calls through
# Rampart (baresip-core: baresip without its GUI and video plug-ins).
RAMPART_PEER_DEPS="baresip-core linphone-cli"
RAMPART_BUILD_DEPS="$RAMPART_BUILD_DEPS $RAMPART_PEER_DEPS"

# rampart_install_missing PKG...: apt-get install what dpkg does not have.
rampart_install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]} (run as root, or install them)" >&2
		return 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}
