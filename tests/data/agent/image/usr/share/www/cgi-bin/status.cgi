#!/bin/sh
# A benign CGI: reports the service's status.
echo "Content-Type: text/plain"
echo
echo "status: ok"
date
tail -n 1 /var/log/app.log
