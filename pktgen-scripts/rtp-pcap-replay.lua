-- SPDX-License-Identifier: BSD-3-Clause
--
-- rtp-pcap-replay.lua: replay the pcap written by gen_rtp_pcap.py from one
-- Pktgen-DPDK port at the aggregate rate of its streams, print tx/rx packets
-- per second, stop, summarise.
--
-- The pcap must be given to Pktgen on its command line (-s PORT:FILE):
--
--   python3 pktgen-scripts/gen_rtp_pcap.py --streams 1000 --packets-per-stream 500 \
--       --dst-mac <Rampart media port MAC> --out /tmp/streams.pcap --stream-set /tmp/streams.csv
--   pktgen <EAL args> -- -P -m "[2:3].0" -s 0:/tmp/streams.pcap \
--       -f pktgen-scripts/rtp-pcap-replay.lua
--
-- Unlike range mode (rtp-streams.lua) every packet carries its stream's own
-- SSRC, sequence number and timestamp.  Pktgen ignores the pcap timestamps:
-- it loads the whole file into an mbuf pool (at least 4096 mbufs; a shorter
-- file is repeated to fill it) and sends the pool round and round at the
-- configured rate.  So each stream's sequence numbers jump back once per pass
-- (every PACKETS_PER_STREAM * 20 ms of audio): make the file long enough for
-- the relay's RTP statistics to care as little as you need, and at least 4096
-- packets so no partial copy is appended.
--
-- Checked against Pktgen-DPDK's app/lpktgenlib.c, app/pktgen-pcap.c and
-- app/pktgen-main.c (26.02.4; 24.10 and 25.08 for pktgen.portStats), not run.

-- Pktgen.lua (helpers, found when Pktgen runs from its source tree) is not
-- needed by this script; load it when present, as Pktgen's own scripts do.
package.path = package.path .. ";?.lua;test/?.lua;app/?.lua;../?.lua"
pcall(require, "Pktgen")

------------------------------------------------------------------------------
-- Parameters (a global of the same name set before loading overrides each).
-- STREAMS and FRAME_LEN must describe the pcap given with -s.
------------------------------------------------------------------------------
local PORT           = tostring(PORT or "0")
local RX_PORT        = tostring(RX_PORT or PORT)
local STREAMS        = tonumber(STREAMS or 100)     -- gen_rtp_pcap.py --streams
local PPS_PER_STREAM = tonumber(PPS_PER_STREAM or 50)
local FRAME_LEN      = tonumber(FRAME_LEN or 214)   -- 234 for a --ipv6 file
local RATE_PCT       = RATE_PCT and tonumber(RATE_PCT) -- nil: computed from the above
local DURATION_S     = tonumber(DURATION_S or 10)
local BURST          = tonumber(BURST or 16)
local DRAIN_MS       = tonumber(DRAIN_MS or 500)
local SCREEN_OFF     = (SCREEN_OFF ~= false)
local QUIT_AT_END    = (QUIT_AT_END == true)

local WIRE_OVERHEAD  = 24   -- preamble+SFD 8, IFG 12, FCS 4 (Pktgen's PKT_OVERHEAD_SIZE)
local MODE_HINT      = ": was the pcap loaded with -s " .. PORT .. ":FILE, and FRAME_LEN right?"

local function say(fmt, ...)
    print(string.format(fmt, ...))
end

-- Both forms of pktgen.portStats: (list) -> t[pid].curr (26.02+),
-- (list, "port") -> t[pid] (25.08 and earlier).
local function counters(port)
    local pid = tonumber(port)
    local ok, t = pcall(pktgen.portStats, port)
    if not (ok and type(t) == "table" and t[pid]) then
        ok, t = pcall(pktgen.portStats, port, "port")
    end
    if not (ok and type(t) == "table" and t[pid]) then
        error("pktgen.portStats failed for port " .. port .. ": " .. tostring(t))
    end
    local s = t[pid].curr or t[pid]
    return { rx = s.ipackets or 0, tx = s.opackets or 0, tx_bytes = s.obytes or 0,
             bad = (s.imissed or 0) + (s.ierrors or 0) }
end

local function rate_pct()
    if RATE_PCT then return RATE_PCT end
    local ok, t = pcall(pktgen.linkState, PORT)
    local st = ok and type(t) == "table" and t[tonumber(PORT)]
    local mbps = st and tonumber(tostring(st):match("UP%-(%d+)%-"))
    if not mbps or mbps == 0 then
        error("link of port " .. PORT .. " is down or of unknown speed; set RATE_PCT")
    end
    local pps = STREAMS * PPS_PER_STREAM
    -- Pktgen paces pcap mode with the file's average frame size + overhead.
    local pct = pps * (FRAME_LEN + WIRE_OVERHEAD) * 8 / (mbps * 1e6) * 100
    say("rate: %d streams x %d pps = %d pps on a %d Mb/s link = %.4f%%",
        STREAMS, PPS_PER_STREAM, pps, mbps, pct)
    if pct < 0.01 then
        say("rate: below Pktgen's 0.01%% floor; sending at 0.01%%")
        pct = 0.01
    elseif pct > 100 then
        pct = 100
    end
    return pct
end

local function run()
    pktgen.stop(PORT)
    pktgen.set(PORT, "count", 0)
    pktgen.set(PORT, "burst", BURST)
    -- Switch the port to pcap mode.  Pktgen silently ignores this when no
    -- -s file was loaded for the port (it then sends its 64-byte default
    -- packet); the average frame size printed at the end tells.
    pktgen.pcap(PORT, "on")
    pktgen.set(PORT, "rate", rate_pct())

    pktgen.clr()
    local t0, r0 = counters(PORT), counters(RX_PORT)
    local prev_tx, prev_rx = t0.tx, r0.rx
    local sum_tx, sum_rx = 0, 0

    pktgen.start(PORT)
    say("%5s %12s %12s %14s %14s", "sec", "tx_pps(" .. PORT .. ")", "rx_pps(" .. RX_PORT .. ")",
        "tx_total", "rx_total")
    for sec = 1, DURATION_S do
        pktgen.delay(1000)
        local tx, r = counters(PORT).tx, counters(RX_PORT)
        say("%5d %12d %12d %14d %14d%s", sec, tx - prev_tx, r.rx - prev_rx, tx - t0.tx,
            r.rx - r0.rx, r.bad > r0.bad and string.format("  (rx missed+errors %d)", r.bad - r0.bad) or "")
        sum_tx, sum_rx = sum_tx + (tx - prev_tx), sum_rx + (r.rx - prev_rx)
        prev_tx, prev_rx = tx, r.rx
    end
    pktgen.stop(PORT)
    pktgen.delay(DRAIN_MS)

    local t1, r1 = counters(PORT), counters(RX_PORT)
    local tx, rx = t1.tx - t0.tx, r1.rx - r0.rx
    if tx == 0 then
        say("summary: nothing sent on port %s", PORT)
        return
    end
    say("summary: %d s, tx %d pkts (avg %d pps), rx %d pkts (avg %d pps), rx missed+errors %d",
        DURATION_S, tx, math.floor(sum_tx / DURATION_S), rx, math.floor(sum_rx / DURATION_S),
        r1.bad - r0.bad)
    say("summary: rx/tx = %.4f%s", rx / tx,
        RX_PORT == PORT and " (one port: rx is what came back on the transmit port)" or "")
    -- NICs count tx bytes without the FCS (a few with it): a very different
    -- average means the port did not send what this script set up.
    local avg = (t1.tx_bytes - t0.tx_bytes) / tx
    if avg < FRAME_LEN - 1 or avg > FRAME_LEN + 5 then
        say("WARNING: average tx frame %.1f bytes, expected %d%s", avg, FRAME_LEN, MODE_HINT)
    end
end

if SCREEN_OFF then pktgen.screen("off") end
local ok, err = pcall(run)
if not ok then
    pcall(pktgen.stop, PORT)
    say("rtp-pcap-replay.lua: %s", tostring(err))
end
if SCREEN_OFF then pktgen.screen("on") end
if QUIT_AT_END then pktgen.quit() end
