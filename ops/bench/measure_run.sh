#!/usr/bin/env bash
# Benchmark of `./iesmed run`: cold start to first reply, resident memory per process,
# 20 warm turns, and a clean stop on Ctrl-C. Uses port 8091 and a scratch data folder.
set -m
cd "$(dirname "$0")/../.."
rm -rf /tmp/measure-data
export IESMED_DATA_DIR=/tmp/measure-data BOT_PORT=8091
start=$(date +%s.%N)
./iesmed run --no-chat > /tmp/measure-run.log 2>&1 &
PID=$!
until grep -q "all running" /tmp/measure-run.log 2>/dev/null; do sleep 0.5; if ! kill -0 $PID 2>/dev/null; then echo "run died"; cat /tmp/measure-run.log; exit 1; fi; done
up=$(date +%s.%N)
cid=$(curl -s -XPOST localhost:8091/api/conversations -H 'content-type: application/json' -d '{}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["conversation_id"])')
curl -s -XPOST localhost:8091/api/conversations/$cid/messages -H 'content-type: application/json' -d '{"text":"Hello"}' > /tmp/measure-reply.json
first=$(date +%s.%N)
echo "all running after: $(echo "$up - $start" | bc) s; first reply after: $(echo "$first - $start" | bc) s"
head -c 200 /tmp/measure-reply.json; echo
for p in "engine_server run" "rasa_sdk --actions" "bot.serve"; do
  pid=$(pgrep -f "$p" | head -1); echo "$p RSS: $(( $(ps -o rss= -p $pid) / 1024 )) MB"
done
# warm: 20 greetings
t0=$(date +%s.%N); for i in $(seq 20); do curl -s -XPOST localhost:8091/api/conversations/$cid/messages -H 'content-type: application/json' -d '{"text":"What can you do?"}' >/dev/null; done; t1=$(date +%s.%N)
echo "20 help turns: $(echo "$t1 - $t0" | bc) s"
for p in "engine_server run" "rasa_sdk --actions" "bot.serve"; do
  pid=$(pgrep -f "$p" | head -1); echo "$p RSS after: $(( $(ps -o rss= -p $pid) / 1024 )) MB"
done
kill -INT $PID; wait $PID; echo "exit code after Ctrl-C: $?"; tail -3 /tmp/measure-run.log
pgrep -f "engine_server run|rasa_sdk --actions|bot.serve" && echo "LEFTOVER PROCESSES" || echo "no leftover processes"
