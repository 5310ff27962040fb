#!/usr/bin/env bash
# The Python side of `make bench`'s extraction figures: invoice2data, the template-based
# extractor our accuracy is shown next to, in its own venv (.venv-bench), pinned so that its
# figures move only when we choose. It reads PDFs through pdftotext (poppler-utils) and images
# through the tesseract and ImageMagick CLIs: all three are in the Makefile's apt packages.
# Idempotent: does nothing when the pinned version is there.
set -euo pipefail

INVOICE2DATA_VERSION=1.0.1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${BOXKEEPER_BENCH_VENV:-$root/.venv-bench}"
stamp="$venv/.invoice2data-$INVOICE2DATA_VERSION"

if [ -e "$stamp" ]; then
	exit 0
fi
for tool in pdftotext tesseract convert; do
	command -v "$tool" >/dev/null || {
		echo "bench-venv: $tool is missing: run \`make apt\`" >&2
		exit 1
	}
done
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "invoice2data==$INVOICE2DATA_VERSION"
touch "$stamp"
echo "bench-venv: invoice2data $INVOICE2DATA_VERSION in $venv"
