#!/usr/bin/env bash
# One benchmark run: a static upstream (nginx), nginx as a plain reverse proxy in front of it, and Tollgate in front
# of it; then closed-loop throughput (wrk), fixed-rate latency (hey) and streaming time-to-first-byte (python).
# Prints a markdown table and writes it to bench/out/results.md. Takes about 2-3 minutes.
#
#   bench/run.sh                 everything with the defaults below
#   DURATION=20 CONNS=64 bench/run.sh
#
# Knobs (environment): DURATION (s, closed loop, default 10), WARMUP (s, default 5), CONNS (default 32),
# RATE (req/s, fixed-rate phase, default 1000), RATE_DURATION (s, default 10), TTFB_N (default 200),
# PORT_BASE (default 18080; uses PORT_BASE..PORT_BASE+11), TOLLGATE_JAVA_OPTS (extra JVM flags),
# PROFILE=1 (JFR recording of Tollgate's measured wrk run; top frames in bench/out/profile.txt).
# On a 2-core box shared with wrk and two nginx, TOLLGATE_JAVA_OPTS=-XX:ActiveProcessorCount=1 (one event loop,
# fewer GC/JIT threads) gave more req/s and a lower p99 than the default of one event loop per core.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
CONNS=${CONNS:-32}
RATE=${RATE:-1000}
RATE_DURATION=${RATE_DURATION:-10}
TTFB_N=${TTFB_N:-200}
PORT_BASE=${PORT_BASE:-18080}

P_TOLLGATE=$PORT_BASE               # Tollgate public API
P_ADMIN=$((PORT_BASE + 1))          # Tollgate admin API
P_PROXY=$((PORT_BASE + 2))          # nginx reverse proxy -> JSON upstream
P_PROXY_SSE=$((PORT_BASE + 3))      # nginx reverse proxy -> SSE upstream
P_UP=$((PORT_BASE + 10))            # static upstream, JSON chat.completion
P_UP_SSE=$((PORT_BASE + 11))        # static upstream, SSE stream

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

# ---------------------------------------------------------------- tools
need_apt=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
# Fixed-rate load: Debian ships `hey` (rakyll/hey), whose -q paces every worker at a fixed rate and which reports
# per-request latencies (-o csv). h2load --rps has no latency percentiles, and wrk's Lua cannot pace (wrk2 is not
# packaged), so hey it is; when hey is missing from the archive the fixed-rate phase is skipped with a note.
command -v hey >/dev/null 2>&1 || {
  if apt-cache policy hey 2>/dev/null | grep -q 'Candidate: [0-9]'; then need_apt+=(hey); fi
}
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need_apt[*]}; run as root or install them: apt-get install -y ${need_apt[*]}"
  log "installing ${need_apt[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  # The Debian package starts a system nginx on port 80; it is not ours to keep running.
  if [[ " ${need_apt[*]} " == *" nginx "* ]]; then service nginx stop >/dev/null 2>&1 || true; fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAVE_HEY=1; command -v hey >/dev/null 2>&1 || HAVE_HEY=0

JAVA_HOME=$("$root/bin/find-java") || die "no JDK >= 21"
export JAVA_HOME
jar="$root/target/tollgate.jar"
if [ ! -f "$jar" ]; then
  log "building $jar"
  (cd "$root" && ./mvnw -B -q package -DskipTests -Dspotless.check.skip=true) >&2 || die "build failed"
fi

for p in $P_TOLLGATE $P_ADMIN $P_PROXY $P_PROXY_SSE $P_UP $P_UP_SSE; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is already in use (set PORT_BASE)"; fi
done

# ---------------------------------------------------------------- workspace and cleanup
tmp=$(mktemp -d /tmp/tollgate-bench.XXXXXX)
chmod 755 "$tmp" # nginx workers may run as an unprivileged user: they read the static stream file
out="$root/bench/out"
mkdir -p "$out"
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for f in "$tmp"/nginx-*/nginx.pid; do kill "$(cat "$f" 2>/dev/null)" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    echo "bench: failed (rc=$rc); logs kept in $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() { # port name [seconds]
  local deadline=$((SECONDS + ${3:-30}))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    [ $SECONDS -lt "$deadline" ] || die "$2 did not listen on 127.0.0.1:$1 in time (logs in $tmp)"
    sleep 0.1
  done
}

# ---------------------------------------------------------------- payloads
MODEL_JSON='{"id":"chatcmpl-9bench00000000000000000001","object":"chat.completion","created":1732000000,"model":"sim-chat-2024-08-06","system_fingerprint":"fp_bench01","choices":[{"index":0,"message":{"role":"assistant","content":"The capital of France is Paris. It has been the country'"'"'s capital since the 10th century and is its largest city.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":24,"total_tokens":66,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}'
# nginx single-quoted strings: the apostrophe above must be escaped for nginx.
MODEL_JSON_NGX=${MODEL_JSON//\'/\\\'}

sse_chunk() { # delta-json [finish_reason]
  printf 'data: {"id":"chatcmpl-9bench00000000000000000002","object":"chat.completion.chunk","created":1732000000,"model":"sim-chat-2024-08-06","system_fingerprint":"fp_bench01","choices":[{"index":0,"delta":%s,"logprobs":null,"finish_reason":%s}]}\n\n' "$1" "${2:-null}"
}
{
  sse_chunk '{"role":"assistant","content":"","refusal":null}'
  for w in "The" " capital" " of" " France" " is" " Paris" "." " It" " is" " also" " its" " largest" " city" "."; do
    sse_chunk "{\"content\":\"$w\"}"
  done
  sse_chunk '{}' '"stop"'
  printf 'data: {"id":"chatcmpl-9bench00000000000000000002","object":"chat.completion.chunk","created":1732000000,"model":"sim-chat-2024-08-06","system_fingerprint":"fp_bench01","choices":[],"usage":{"prompt_tokens":42,"completion_tokens":14,"total_tokens":56,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}\n\n'
  printf 'data: [DONE]\n\n'
} > "$tmp/stream.sse"
# The stream (over nginx's 4 KB limit for a `return` string) is a static file; nginx refuses POST for static files
# with 405, which error_page turns into a 200 with the file.
mkdir -p "$tmp/nginx-up/www/v1/chat"
cp "$tmp/stream.sse" "$tmp/nginx-up/www/v1/chat/completions"

REQ_BODY='{"model":"chat-small","messages":[{"role":"system","content":"You are a concise assistant. Answer in one or two sentences."},{"role":"user","content":"What is the capital of France, and is it also the largest city?"}],"temperature":0.2,"max_tokens":128,"user":"bench-user-42"}'
REQ_BODY_STREAM='{"model":"chat-stream","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"You are a concise assistant. Answer in one or two sentences."},{"role":"user","content":"What is the capital of France, and is it also the largest city?"}],"temperature":0.2,"max_tokens":128,"user":"bench-user-42"}'
printf '%s' "$REQ_BODY" > "$tmp/body.json"
printf '%s' "$REQ_BODY_STREAM" > "$tmp/body-stream.json"

BENCH_KEY="tg-bench-$(date +%s)-$RANDOM"
UPSTREAM_KEY="sk-upstream-bench"
TOLLGATE_ADMIN_TOKEN="admin-bench-$RANDOM"
export BENCH_KEY UPSTREAM_KEY TOLLGATE_ADMIN_TOKEN

# ---------------------------------------------------------------- nginx: upstream and proxy (separate instances)
nginx_common() { # dir
  cat <<EOF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  client_body_temp_path $1/body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
EOF
}

mkdir -p "$tmp/nginx-up" "$tmp/nginx-proxy"
{
  nginx_common "$tmp/nginx-up"
  cat <<EOF
  server {
    listen 127.0.0.1:$P_UP;
    location = /v1/chat/completions {
      default_type application/json;
      return 200 '$MODEL_JSON_NGX';
    }
  }
  server {
    listen 127.0.0.1:$P_UP_SSE;
    location = /v1/chat/completions {
      root $tmp/nginx-up/www;
      default_type text/event-stream;
      add_header Cache-Control no-cache;
      error_page 405 =200 \$uri;
    }
  }
}
EOF
} > "$tmp/nginx-up/nginx.conf"

{
  nginx_common "$tmp/nginx-proxy"
  cat <<EOF
  upstream up_json { server 127.0.0.1:$P_UP; keepalive 64; keepalive_requests 1000000; }
  upstream up_sse  { server 127.0.0.1:$P_UP_SSE; keepalive 64; keepalive_requests 1000000; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_buffering off;
  server {
    listen 127.0.0.1:$P_PROXY;
    location / { proxy_pass http://up_json; }
  }
  server {
    listen 127.0.0.1:$P_PROXY_SSE;
    location / { proxy_pass http://up_sse; }
  }
}
EOF
} > "$tmp/nginx-proxy/nginx.conf"

for n in up proxy; do
  "$NGINX" -t -q -e "$tmp/nginx-$n/error.log" -p "$tmp/nginx-$n" -c "$tmp/nginx-$n/nginx.conf" 2>"$tmp/nginx-$n/test.log" \
    || { cat "$tmp/nginx-$n/test.log" >&2; die "nginx-$n config invalid"; }
  "$NGINX" -e "$tmp/nginx-$n/error.log" -p "$tmp/nginx-$n" -c "$tmp/nginx-$n/nginx.conf" >"$tmp/nginx-$n/stdout.log" 2>&1 &
  pids+=($!)
  [ $n = up ] && NGINX_UP_PID=$! || NGINX_PROXY_PID=$!
done
wait_port $P_UP "nginx upstream"; wait_port $P_UP_SSE "nginx SSE upstream"
wait_port $P_PROXY "nginx proxy"; wait_port $P_PROXY_SSE "nginx SSE proxy"

# ---------------------------------------------------------------- Tollgate
mkdir -p "$tmp/tollgate"
cat > "$tmp/tollgate/tollgate.yaml" <<EOF
listen: 127.0.0.1:$P_TOLLGATE
admin: {listen: 127.0.0.1:$P_ADMIN, token: \${TOLLGATE_ADMIN_TOKEN}}
store: $tmp/tollgate/tollgate.db
providers:
  up: {type: openai, base_url: http://127.0.0.1:$P_UP/v1, api_key: \${UPSTREAM_KEY}, region: local}
  up-sse: {type: openai, base_url: http://127.0.0.1:$P_UP_SSE/v1, api_key: \${UPSTREAM_KEY}, region: local}
models:
  chat-small:
    - {provider: up, model: sim-chat}
  chat-stream:
    - {provider: up-sse, model: sim-chat}
tenants:
  bench: {country: DE, keys: [\${BENCH_KEY}]}
EOF
JAVA_OPTS_USED="-Xms512m -Xmx512m -XX:+AlwaysPreTouch ${TOLLGATE_JAVA_OPTS:-}"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" $JAVA_OPTS_USED -jar "$jar" serve --config "$tmp/tollgate/tollgate.yaml" \
  >"$tmp/tollgate/stdout.log" 2>&1 &
TOLLGATE_PID=$!
pids+=($TOLLGATE_PID)
wait_port $P_TOLLGATE "Tollgate" 60

# ---------------------------------------------------------------- bare Vert.x proxy (the framework's floor)
# The same server/client set-up as Tollgate with no gateway work (src/test/java/dev/tollgate/bench/BareVertxProxy):
# Tollgate / bare separates what the gateway adds from what Vert.x itself costs.
P_BARE=$((PORT_BASE + 4))
log "compiling the bare Vert.x proxy (test classes)"
(cd "$root" && ./mvnw -B -q -o test-compile -Dspotless.check.skip=true >/dev/null 2>&1 \
  || ./mvnw -B -q test-compile -Dspotless.check.skip=true >/dev/null) || die "test-compile failed"
cp_file="$root/target/bench-classpath.txt"
if [ ! -s "$cp_file" ] || [ "$root/pom.xml" -nt "$cp_file" ]; then
  (cd "$root" && ./mvnw -B -q -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" \
    >/dev/null 2>&1 || ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" \
    >/dev/null) || die "could not build the test classpath"
fi
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" $JAVA_OPTS_USED -cp "$root/target/test-classes:$root/target/classes:$(cat "$cp_file")" \
  dev.tollgate.bench.BareVertxProxy $P_BARE $P_UP >"$tmp/bare.log" 2>&1 &
pids+=($!)
BARE_PID=$!
wait_port $P_BARE "bare Vert.x proxy" 60

# ---------------------------------------------------------------- sanity: every target answers correctly
check() { # name url body expect
  local got
  got=$(curl -sS --max-time 5 -H 'Content-Type: application/json' -H "Authorization: Bearer $BENCH_KEY" \
    --data-binary @"$3" -w '\n%{http_code}' "$2") || die "$1: request failed"
  [ "$(tail -n1 <<<"$got")" = 200 ] || die "$1: HTTP $(tail -n1 <<<"$got"): $(head -c 400 <<<"$got")"
  grep -q "$4" <<<"$got" || die "$1: unexpected answer: $(head -c 400 <<<"$got")"
}
for t in "direct http://127.0.0.1:$P_UP" "nginx http://127.0.0.1:$P_PROXY" "bare http://127.0.0.1:$P_BARE" \
  "tollgate http://127.0.0.1:$P_TOLLGATE"; do
  check ${t%% *} "${t#* }/v1/chat/completions" "$tmp/body.json" '"completion_tokens":24'
done
for t in "direct http://127.0.0.1:$P_UP_SSE" "nginx http://127.0.0.1:$P_PROXY_SSE" "tollgate http://127.0.0.1:$P_TOLLGATE"; do
  check "${t%% *}-stream" "${t#* }/v1/chat/completions" "$tmp/body-stream.json" 'data: \[DONE\]'
done
log "all targets answer (request $(wc -c <"$tmp/body.json") B, answer ${#MODEL_JSON} B, stream $(wc -c <"$tmp/stream.sse") B / $(grep -c '^data:' "$tmp/stream.sse") events)"

# ---------------------------------------------------------------- 1. closed loop: wrk
cat > "$tmp/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $BENCH_KEY"
local f = io.open("$tmp/body.json", "rb"); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50=%d p90=%d p99=%d max=%d n=%d errors=%d status=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, summary.requests, e.connect + e.read + e.write + e.timeout, e.status))
end
EOF
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }
# CPU time (user + system, clock ticks) of a process and its children: a proxy's CPU per request does not depend on
# how much of the machine wrk and the upstream take, so it stays comparable when the box is busy.
cpu_ticks() { # pid...
  local total=0 p t
  for p in "$@" $(for q in "$@"; do pgrep -P "$q" || true; done); do
    t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}
run_wrk() { # name url [pid] -> sets R_<name> (with cpu_us = proxy CPU microseconds per request when pid is given)
  local name=$1 url=$2 pid=${3:-} line before after
  log "wrk $name: warm-up ${WARMUP}s, then -t1 -c$CONNS -d${DURATION}s"
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" -s "$tmp/post.lua" "$url" >"$tmp/wrk-$name-warm.txt" 2>&1 || die "wrk failed on $name"
  [ -n "$pid" ] && before=$(cpu_ticks "$pid")
  wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency -s "$tmp/post.lua" "$url" >"$tmp/wrk-$name.txt" 2>&1 || die "wrk failed on $name"
  [ -n "$pid" ] && after=$(cpu_ticks "$pid")
  line=$(grep '^RESULT' "$tmp/wrk-$name.txt") || { cat "$tmp/wrk-$name.txt" >&2; die "no wrk result for $name"; }
  [[ "$line" == *" errors=0 status=0" ]] || log "WARNING: $name had errors: $line"
  if [ -n "$pid" ]; then
    line="$line cpu_us=$(awk -v d=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$(field "$line" n)" \
      'BEGIN { printf "%.1f", (n > 0 ? d * 1e6 / hz / n : 0) }')"
  fi
  printf -v "R_$name" '%s' "$line"
  echo "   $line" >&2
}
run_wrk direct "http://127.0.0.1:$P_UP/v1/chat/completions" "$NGINX_UP_PID"
run_wrk nginx "http://127.0.0.1:$P_PROXY/v1/chat/completions" "$NGINX_PROXY_PID"
run_wrk bare "http://127.0.0.1:$P_BARE/v1/chat/completions" "$BARE_PID"
if [ "${PROFILE:-0}" = 1 ]; then
  # PROFILE=1: a JFR recording of Tollgate during its measured wrk run; top frames go to bench/out/profile.txt.
  "$JAVA_HOME/bin/jcmd" $TOLLGATE_PID JFR.start name=bench settings=profile \
    duration=$((WARMUP + DURATION))s filename="$out/tollgate.jfr" >/dev/null
fi
run_wrk tollgate "http://127.0.0.1:$P_TOLLGATE/v1/chat/completions" "$TOLLGATE_PID"
if [ "${PROFILE:-0}" = 1 ]; then
  sleep 1
  {
    echo "# top frames (jdk.ExecutionSample) during the Tollgate wrk run"
    "$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample "$out/tollgate.jfr" \
      | awk '/stackTrace = \[/ {getline; sub(/^ +/, ""); sub(/line:.*/, ""); print}' | sort | uniq -c | sort -rn | head -40
    echo "# frames anywhere on the stack (inclusive), dev.tollgate and io.vertx/netty/jackson only"
    "$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample "$out/tollgate.jfr" \
      | grep -E '^ +(dev\.tollgate|com\.fasterxml|java\.util\.concurrent)' | sed 's/^ *//; s/line:.*//' | sort | uniq -c | sort -rn | head -40
  } > "$out/profile.txt" 2>&1 || true
  log "profile written to $out/profile.txt"
fi

# ---------------------------------------------------------------- 2. fixed rate: hey
# hey paces each of its workers at RATE/workers req/s on its own keep-alive connection and records every request
# (-o csv, 0.1 ms resolution). It measures from the moment a worker sends, so a stall of the server delays the next
# sends instead of showing up as latency (no coordinated-omission correction) - p99 is therefore a lower bound.
HEY_WORKERS=10
run_hey() { # name url -> sets H_<name>="p50 p99 max n non200" (ms)
  local name=$1 url=$2 res
  log "hey $name: $RATE req/s for ${RATE_DURATION}s ($HEY_WORKERS workers x $((RATE / HEY_WORKERS)) req/s)"
  hey -z "${RATE_DURATION}s" -c $HEY_WORKERS -q $((RATE / HEY_WORKERS)) -m POST -T application/json \
    -H "Authorization: Bearer $BENCH_KEY" -D "$tmp/body.json" -o csv "$url" >"$tmp/hey-$name.csv" 2>"$tmp/hey-$name.err" \
    || die "hey failed on $name: $(head -c 300 "$tmp/hey-$name.err")"
  res=$(python3 - "$tmp/hey-$name.csv" "$RATE_DURATION" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
lat = sorted(float(r["response-time"]) * 1000 for r in rows)
bad = sum(1 for r in rows if r["status-code"] != "200")
if not lat:
    print("0 0 0 0 0 0"); sys.exit()
pct = lambda q: lat[min(len(lat) - 1, int(q / 100 * len(lat)))]
print(f"{pct(50):.2f} {pct(99):.2f} {lat[-1]:.2f} {len(lat)} {bad} {len(lat)/float(sys.argv[2]):.0f}")
PY
)
  printf -v "H_$name" '%s' "$res"
  echo "   p50/p99/max ms, n, non-200, achieved req/s: $res" >&2
}
if [ $HAVE_HEY = 1 ]; then
  run_hey nginx "http://127.0.0.1:$P_PROXY/v1/chat/completions"
  run_hey tollgate "http://127.0.0.1:$P_TOLLGATE/v1/chat/completions"
else
  log "hey is not available: fixed-rate phase skipped"
  H_nginx="- - - 0 0 0"; H_tollgate="- - - 0 0 0"
fi

# ---------------------------------------------------------------- 3. streaming TTFB
# Sequential requests on one keep-alive connection per target, alternating nginx and Tollgate so that drift in the
# machine's load hits both alike. TTFB = from sending the request to receiving the first byte of the answer; the
# full stream is then read and checked for data: [DONE].
log "streaming TTFB: $TTFB_N sequential requests per target (alternating), after 30 warm-up requests each"
TTFB=$(python3 - "$P_PROXY_SSE" "$P_TOLLGATE" "$tmp/body-stream.json" "$BENCH_KEY" "$TTFB_N" <<'PY'
import socket, sys, time, statistics
p_nginx, p_tg, body_file, key, n = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
body = open(body_file, "rb").read()
req = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
       b"Accept: text/event-stream\r\nAuthorization: Bearer " + key.encode() +
       b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.s.settimeout(5)
    def one(self):
        t0 = time.perf_counter()
        self.s.sendall(req)
        buf = self.s.recv(65536)
        t1 = time.perf_counter()
        if not buf:
            raise SystemExit("connection closed")
        while True:
            head, sep, rest = buf.partition(b"\r\n\r\n")
            if sep:
                break
            buf += self.s.recv(65536)
        hl = head.lower()
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit("bad answer: " + head[:200].decode(errors="replace"))
        if b"content-length:" in hl:
            cl = int(hl.split(b"content-length:")[1].split(b"\r\n")[0])
            while len(rest) < cl:
                rest += self.s.recv(65536)
        else:  # chunked
            while not rest.endswith(b"0\r\n\r\n"):
                more = self.s.recv(65536)
                if not more:
                    raise SystemExit("stream cut")
                rest += more
        if b"data: [DONE]" not in rest:
            raise SystemExit("stream without [DONE]")
        return (t1 - t0) * 1e3, (time.perf_counter() - t0) * 1e3

a, b = Conn(p_nginx), Conn(p_tg)
for _ in range(30):
    a.one(); b.one()
ta, tb, fa, fb = [], [], [], []
for _ in range(n):
    x = a.one(); y = b.one()
    ta.append(x[0]); fa.append(x[1]); tb.append(y[0]); fb.append(y[1])
def p(v, q):
    v = sorted(v); return v[min(len(v) - 1, int(q / 100 * len(v)))]
print(f"{statistics.median(ta):.3f} {p(ta,99):.3f} {statistics.median(tb):.3f} {p(tb,99):.3f} "
      f"{statistics.median(fa):.3f} {statistics.median(fb):.3f}")
PY
) || die "TTFB client failed"
read -r T_NG50 T_NG99 T_TG50 T_TG99 F_NG50 F_TG50 <<<"$TTFB"

# ---------------------------------------------------------------- Tollgate still healthy, ledger kept up
records=$(curl -sS --max-time 5 -H "Authorization: Bearer $TOLLGATE_ADMIN_TOKEN" \
  "http://127.0.0.1:$P_ADMIN/admin/v1/health" 2>/dev/null | head -c 300 || true)
RSS_KB=$(awk '/VmRSS/ {print $2}' "/proc/$TOLLGATE_PID/status" 2>/dev/null || echo 0)

# ---------------------------------------------------------------- results
us2ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%+.2f", a - b }'; }
verdict() { [ "$1" = 1 ] && echo "**met**" || echo "**not met**"; }

rps_d=$(field "$R_direct" rps); rps_n=$(field "$R_nginx" rps); rps_t=$(field "$R_tollgate" rps)
read -r hn50 hn99 hnmax hnn hnbad hnrate <<<"$H_nginx"
read -r ht50 ht99 htmax htn htbad htrate <<<"$H_tollgate"
rps_ratio=$(ratio "$rps_t" "$rps_n")
added_p99=$(sub "$ht99" "$hn99")
ttfb_add50=$(sub "$T_TG50" "$T_NG50"); ttfb_add99=$(sub "$T_TG99" "$T_NG99")
ok_rps=$(awk -v r="$rps_ratio" 'BEGIN { print (r >= 0.60) ? 1 : 0 }')
ok_p99=$(awk -v a="$added_p99" 'BEGIN { print (a != "-" && a + 0 <= 1.0) ? 1 : 0 }')
ok_ttfb=$(awk -v a="$ttfb_add50" 'BEGIN { print (a + 0 <= 1.0) ? 1 : 0 }')

row() { # name result
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$(field "$2" rps)" "$(us2ms "$(field "$2" p50)")" \
    "$(us2ms "$(field "$2" p90)")" "$(us2ms "$(field "$2" p99)")" "$(field "$2" errors)/$(field "$2" status)" \
    "$(field "$2" cpu_us)"
}
{
  echo "# Tollgate proxy benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), loopback only."
  echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), upstream and proxy are separate instances with **worker_processes 1 each**;"
  echo "Tollgate $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') on $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), event loops = $(nproc) (one per core), JVM opts: \`$JAVA_OPTS_USED\`."
  echo "Load generator, upstream and proxy share the same $(nproc) cores, so all numbers are relative, not absolute capacity."
  echo "Request $(wc -c <"$tmp/body.json") B JSON; answer ${#MODEL_JSON} B chat.completion with usage; stream $(wc -c <"$tmp/stream.sse") B in $(grep -c '^data:' "$tmp/stream.sse") events."
  echo
  echo "## Closed loop: \`wrk -t1 -c$CONNS -d${DURATION}s --latency\` (after ${WARMUP}s warm-up), POST /v1/chat/completions"
  echo
  echo "| target | req/s | p50 ms | p90 ms | p99 ms | errors/non-2xx | CPU µs/request |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  row "direct (static upstream)" "$R_direct"
  row "nginx reverse proxy" "$R_nginx"
  row "bare Vert.x proxy (no gateway work)" "$R_bare"
  row "Tollgate" "$R_tollgate"
  echo
  echo "| ratio | value |"
  echo "|---|---:|"
  echo "| Tollgate / nginx req/s | $rps_ratio |"
  echo "| bare Vert.x / nginx req/s | $(ratio "$(field "$R_bare" rps)" "$rps_n") |"
  echo "| Tollgate / bare Vert.x req/s | $(ratio "$rps_t" "$(field "$R_bare" rps)") |"
  echo "| nginx / direct req/s | $(ratio "$rps_n" "$rps_d") |"
  echo "| Tollgate / direct req/s | $(ratio "$rps_t" "$rps_d") |"
  echo "| Tollgate / nginx p50 | $(ratio "$(field "$R_tollgate" p50)" "$(field "$R_nginx" p50)") |"
  echo "| Tollgate / nginx p99 | $(ratio "$(field "$R_tollgate" p99)" "$(field "$R_nginx" p99)") |"
  echo "| Tollgate / nginx CPU per request | $(ratio "$(field "$R_tollgate" cpu_us)" "$(field "$R_nginx" cpu_us)") |"
  echo "| Tollgate / bare Vert.x CPU per request | $(ratio "$(field "$R_tollgate" cpu_us)" "$(field "$R_bare" cpu_us)") |"
  echo
  echo "CPU µs/request: user + system time of the serving process (nginx: master and worker) during the measured run,"
  echo "divided by the requests served; unlike req/s it does not depend on how much CPU wrk and the upstream take."
  echo
  echo "## Fixed rate: \`hey -z ${RATE_DURATION}s -c $HEY_WORKERS -q $((RATE / HEY_WORKERS))\` = $RATE req/s"
  echo
  echo "| target | achieved req/s | p50 ms | p99 ms | max ms | requests | non-200 |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  echo "| nginx reverse proxy | $hnrate | $hn50 | $hn99 | $hnmax | $hnn | $hnbad |"
  echo "| Tollgate | $htrate | $ht50 | $ht99 | $htmax | $htn | $htbad |"
  echo "| **added by Tollgate** | | $(sub "$ht50" "$hn50") | **$added_p99** | | | |"
  echo
  echo "## Streaming: $TTFB_N sequential requests each (keep-alive, alternating), time to first byte"
  echo
  echo "| target | TTFB p50 ms | TTFB p99 ms | full stream p50 ms |"
  echo "|---|---:|---:|---:|"
  echo "| nginx reverse proxy | $T_NG50 | $T_NG99 | $F_NG50 |"
  echo "| Tollgate | $T_TG50 | $T_TG99 | $F_TG50 |"
  echo "| **added by Tollgate** | **$ttfb_add50** | $ttfb_add99 | $(sub "$F_TG50" "$F_NG50") |"
  echo
  echo "## Targets"
  echo
  echo "| target | measured | verdict |"
  echo "|---|---:|---|"
  echo "| Tollgate >= 60% of nginx req/s at c=$CONNS | $rps_ratio | $(verdict "$ok_rps") |"
  echo "| added p99 <= 1 ms at $RATE req/s | $added_p99 ms | $(verdict "$ok_p99") |"
  echo "| streaming TTFB added <= 1 ms (median) | $ttfb_add50 ms (p99: $ttfb_add99 ms) | $(verdict "$ok_ttfb") |"
  echo
  echo "Tollgate RSS at the end: $((RSS_KB / 1024)) MB."
} > "$out/results.md"
cat "$out/results.md"
[ -n "$records" ] && echo "(admin health: $records)" >&2
exit 0
