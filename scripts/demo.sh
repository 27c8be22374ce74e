#!/usr/bin/env bash
# The live demo call (PBX namespace -> Rampart -> carrier namespace, media
# included) needs the Sofia-SIP B2BUA, which is not part of this build yet.
# Until it is, say so plainly instead of pretending.
echo "demo.sh: the live call demo arrives with the SIP B2BUA (controlplane);" >&2
echo "         this build has the configuration checker and the data plane only." >&2
exit 1
