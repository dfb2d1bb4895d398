#!/bin/sh
# A web shell: the web server ends up running a shell on a request's behalf.
echo "Content-Type: text/plain"
echo
/bin/sh -c 'id; uname -n'
