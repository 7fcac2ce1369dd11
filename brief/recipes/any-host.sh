#!/bin/sh
# Publish the site on any static host with Brief: a server you reach over SSH
# (rsync), or an S3-compatible bucket (the AWS command line, `aws`).
#
#   DEST=user@example.org:/var/www/brief/ sh any-host.sh     # rsync over SSH
#   DEST=s3://my-bucket sh any-host.sh                       # S3 or compatible
#
# Brief must be installed where it runs (pip install from Brief's repository or a
# wheel of it; on PyPI the name "brief" belongs to another project).
#
# Run it from the site's folder, by hand or from any CI service, on every change
# and once a day (cron: 17 5 * * *) so that an issue dated for the future goes
# out on its day.
#
# Social cards set article titles in Noto Sans CJK, so that Chinese titles are
# drawn too: install it where the build runs (Debian and Ubuntu: apt-get install
# fonts-noto-cjk; Fedora: dnf install google-noto-sans-cjk-fonts; macOS:
# brew install --cask font-noto-sans-cjk). Without it Brief warns
# (warning [no-cjk-font]) and draws cards without their titles.
# The issue PDFs need Pango (Debian and Ubuntu: apt-get install libpango-1.0-0
# libpangoft2-1.0-0 libharfbuzz-subset0; Fedora: dnf install pango; macOS: brew
# install pango). Without it Brief warns (warning [pdf-unavailable]) and builds
# the site without PDFs.
set -eu
: "${DEST:?set DEST to user@host:/path/ or s3://bucket}"

# Publish only what a build without errors or warnings wrote.
brief build --strict --quiet

case "$DEST" in
  s3://*)
    # Each file with its content type (S3 serves what it was told at upload).
    for pair in "html:text/html; charset=utf-8" "css:text/css; charset=utf-8" "js:text/javascript; charset=utf-8" \
        "xml:application/xml; charset=utf-8" "txt:text/plain; charset=utf-8" \
        "svg:image/svg+xml" "webp:image/webp" "jpg:image/jpeg" "jpeg:image/jpeg" \
        "png:image/png" "gif:image/gif" "avif:image/avif" "pdf:application/pdf" \
        "bib:application/x-bibtex; charset=utf-8" "ris:application/x-research-info-systems; charset=utf-8" \
        "json:application/json; charset=utf-8" \
        "pagefind:application/wasm" "pf_meta:application/octet-stream" \
        "pf_index:application/octet-stream" "pf_filter:application/octet-stream" \
        "pf_fragment:application/octet-stream"; do
      aws s3 sync _site/ "$DEST" --exclude "*" --include "*.${pair%%:*}" --content-type "${pair#*:}"
    done
    # Then delete what the site no longer has.
    aws s3 sync _site/ "$DEST" --delete --exclude ".brief-output"
    # For S3 website hosting, once: serve index.html for folders and 404.html for
    # missing pages:
    #   aws s3 website "$DEST" --index-document index.html --error-document 404.html
    ;;
  *)
    # Copy only what changed; delete what the site no longer has.
    rsync --recursive --links --times --compress --checksum --delete \
      --exclude ".brief-output" _site/ "$DEST"
    # The web server sets the content types and serves the 404 page. nginx:
    #   error_page 404 /404.html;      (its mime.types already knows .webp and .svg)
    # Apache (.htaccess or the site's configuration):
    #   ErrorDocument 404 /404.html
    #   AddType image/webp .webp
    #   AddType image/avif .avif
    #   AddType "application/x-bibtex; charset=utf-8" .bib
    #   AddType "application/x-research-info-systems; charset=utf-8" .ris
    ;;
esac
