-- SPDX-License-Identifier: BSD-3-Clause
--
-- rtp-streams.lua: N G.711 RTP streams from one Pktgen-DPDK port, the same
-- traffic shape as gen_rtp_pcap.py (defaults match it):
--
--   stream i: SRC_IP + i : SRC_PORT_BASE + 2*i  ->  DST_IP : DST_PORT_BASE + 2*i
--   214-byte frames = 14 Ethernet + 20 IPv4 + 8 UDP + 12 RTP + 160 G.711
--   aggregate rate STREAMS * PPS_PER_STREAM (50 pps = 20 ms packetisation)
--
-- It uses Pktgen's range mode: source address, source port and destination
-- port all step once per packet and wrap after STREAMS values, so they stay
-- in lock-step and packet j belongs to stream j % STREAMS.  It then starts
-- the port, prints tx/rx packets per second for DURATION_S seconds, stops,
-- and prints a summary.
--
-- Run:  pktgen <EAL args> -- -P -m "[2:3].0" -f pktgen-scripts/rtp-streams.lua
--   or, at the Pktgen prompt:  script pktgen-scripts/rtp-streams.lua
-- Pktgen must be built with Lua (meson -Denable_lua=true).
--
-- Checked against Pktgen-DPDK's app/lpktgenlib.c, app/pktgen-range.c and
-- app/pktgen-cmds.c (26.02.4; 24.10 and 25.08 for pktgen.portStats), not run.
--
-- Limits of range mode (use rtp-pcap-replay.lua with the generated pcap when
-- these matter):
--  * Pktgen does not build RTP.  With RTP_HEADER the fill pattern is set so
--    that the 12 bytes after the UDP header read as an RTP version 2 header,
--    but it is the SAME static header in every packet: one SSRC for all
--    streams, a frozen sequence number and timestamp.  Good for relay
--    throughput; a receiver checking RTP sequence will count duplicates.
--  * PT 0 (PCMU) cannot be expressed (a zero byte ends Pktgen's user pattern
--    string); RTP_PT = 0 sends 0x80 (marker set, PT 0) in every packet.
--  * IPv4 only: the pattern offsets below assume a 20-byte IPv4 header.
--  * Rate is a percentage of link speed (Pktgen's floor is 0.01%).

-- Pktgen.lua (helpers, found when Pktgen runs from its source tree) is not
-- needed by this script; load it when present, as Pktgen's own scripts do.
package.path = package.path .. ";?.lua;test/?.lua;app/?.lua;../?.lua"
pcall(require, "Pktgen")

------------------------------------------------------------------------------
-- Parameters.  A global of the same name, set before this file is loaded
-- (at the Pktgen prompt:  lua STREAMS=1000  then  script <this file>),
-- overrides the default.
------------------------------------------------------------------------------
local PORT           = tostring(PORT or "0")   -- transmit port
local RX_PORT        = tostring(RX_PORT or PORT) -- port whose rx is reported
                                                -- (the other leg's port on a 2-port bench)
local STREAMS        = tonumber(STREAMS or 100)
local PPS_PER_STREAM = tonumber(PPS_PER_STREAM or 50)     -- 20 ms ptime
local RATE_PCT       = RATE_PCT and tonumber(RATE_PCT)     -- nil: from STREAMS*PPS_PER_STREAM and link speed
local DURATION_S     = tonumber(DURATION_S or 10)
local SRC_MAC        = SRC_MAC                             -- nil: the port's own MAC
local DST_MAC        = DST_MAC or "02:00:00:00:00:01"      -- Rampart media port's MAC
local SRC_IP         = SRC_IP or "198.19.0.2"
local DST_IP         = DST_IP or "198.18.0.1"              -- Rampart media address
local SRC_PORT_BASE  = tonumber(SRC_PORT_BASE or 16384)
local DST_PORT_BASE  = tonumber(DST_PORT_BASE or 20000)
local PER_STREAM_SRC_IP = (PER_STREAM_SRC_IP ~= false)     -- SRC_IP + i per stream; false: one source
local TTL            = tonumber(TTL or 64)
local RTP_PT         = tonumber(RTP_PT or 8)               -- 8 = PCMA (see limits above)
local RTP_HEADER     = (RTP_HEADER ~= false)               -- fill pattern shaped as an RTP header
local BURST          = tonumber(BURST or 16)               -- tx burst; small keeps pacing smooth
local DRAIN_MS       = tonumber(DRAIN_MS or 500)           -- wait after stop before final counters
local SCREEN_OFF     = (SCREEN_OFF ~= false)
local QUIT_AT_END    = (QUIT_AT_END == true)

-- Frame layout.  Pktgen sizes include the 4-byte FCS.
local FRAME_LEN      = 14 + 20 + 8 + 12 + 160             -- 214
local PKTGEN_SIZE    = FRAME_LEN + 4                      -- 218
local WIRE_OVERHEAD  = 24                                 -- preamble+SFD 8, IFG 12, FCS 4
local MODE_HINT      = ": is the port in range mode?"

-- Pktgen's reset values (app/pktgen.h): range fields start from these.
local RESET_SPORT, RESET_DPORT = 1234, 5678

------------------------------------------------------------------------------
local function say(fmt, ...)
    print(string.format(fmt, ...))
end

-- Pktgen's own default source address after a port reset (its
-- "P.0.168.192" scheme: a.b.P.1 with a.b = 192.168), as a number so that
-- no private-range literal appears in our scripts; we never send to it.
local PKTGEN_RESET_SRC = 0xC0A80001

local function ip2n(s)
    local a, b, c, d = tostring(s):match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    assert(a, "not an IPv4 address: " .. tostring(s))
    a, b, c, d = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
    assert(a < 256 and b < 256 and c < 256 and d < 256, "not an IPv4 address: " .. s)
    return ((a * 256 + b) * 256 + c) * 256 + d
end

local function n2ip(n)
    return string.format("%d.%d.%d.%d", math.floor(n / 16777216) % 256,
                         math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
end

-- Which side of [lo, hi] a range field's current value is on.  Pktgen steps
-- value += inc, wrapping below-min to max and above-max to min, so fields
-- stay in lock-step only if all start on the same side (none inside).
local function side(v, lo, hi)
    if v < lo then return "below" elseif v > hi then return "above" end
    return "inside"
end

-- Cumulative rx/tx packet counters of one port, for both forms of the API:
-- pktgen.portStats(list) -> t[pid].curr.* (26.02 and later) and
-- pktgen.portStats(list, "port") -> t[pid].* (25.08 and earlier).
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

local function link_mbps(port)
    local ok, t = pcall(pktgen.linkState, port)
    if ok and type(t) == "table" then
        local st = t[tonumber(port)]
        local m = st and tostring(st):match("UP%-(%d+)%-")
        if m then return tonumber(m) end
    end
    return nil
end

-- Pktgen percentage for a packet rate on this port.
local function rate_for(pps, port)
    if RATE_PCT then return RATE_PCT end
    local mbps = link_mbps(port)
    if not mbps or mbps == 0 then
        error("link of port " .. port .. " is down or of unknown speed; set RATE_PCT")
    end
    local pct = pps * (FRAME_LEN + WIRE_OVERHEAD) * 8 / (mbps * 1e6) * 100
    say("rate: %d streams x %d pps = %d pps on a %d Mb/s link = %.4f%%",
        STREAMS, PPS_PER_STREAM, pps, mbps, pct)
    if pct < 0.01 then
        say("rate: below Pktgen's 0.01%% floor; sending at 0.01%% (~%d pps) instead",
            math.floor(0.0001 * mbps * 1e6 / ((FRAME_LEN + WIRE_OVERHEAD) * 8)))
        pct = 0.01
    elseif pct > 100 then
        say("rate: more than line rate; sending at 100%%")
        pct = 100
    end
    return pct
end

-- Pktgen's user fill pattern is copied over the whole frame before the
-- headers are written, byte at frame offset o taken from pattern[o % 16]; it
-- is a C string of at most 15 bytes, so pattern[15] is always 0.  The RTP
-- header sits at frame offsets 42..53 (pattern indexes 10..15, 0..5):
--   42 V=2 (0x80) 43 M/PT 44-45 seq 46-49 timestamp (47 is pattern[15] = 0)
--   50-53 SSRC, 54.. payload.
local function rtp_pattern()
    local pt_byte = RTP_PT
    if RTP_PT == 0 then
        say("rtp: PT 0 cannot be put in a Pktgen pattern; using 0x80 (marker + PT 0)")
        pt_byte = 0x80
    end
    assert(pt_byte > 0 and pt_byte < 256, "RTP_PT must be 0..127")
    return string.char(
        0x20, 0xA0,                 -- [0,1]   timestamp bytes 2,3   (ts = 0x100020A0)
        0x52, 0x4D, 0x50, 0x54,     -- [2..5]  SSRC 0x524D5054 ("RMPT")
        0xD5, 0xD5, 0xD5, 0xD5,     -- [6..9]  payload (A-law silence)
        0x80, pt_byte,              -- [10,11] V=2; marker/PT
        0x11, 0x11,                 -- [12,13] sequence 0x1111
        0x10)                       -- [14]    timestamp byte 0; [15] = 0 is byte 1
end

------------------------------------------------------------------------------
local function configure()
    assert(STREAMS >= 1, "STREAMS must be >= 1")
    assert(SRC_PORT_BASE % 2 == 0 and DST_PORT_BASE % 2 == 0, "RTP ports are even")
    local sport_max = SRC_PORT_BASE + 2 * (STREAMS - 1)
    local dport_max = DST_PORT_BASE + 2 * (STREAMS - 1)
    assert(sport_max <= 65534 and dport_max <= 65534, "too many streams for the port bases")
    local src_lo = ip2n(SRC_IP)
    local src_hi = PER_STREAM_SRC_IP and (src_lo + STREAMS - 1) or src_lo
    ip2n(DST_IP)

    -- After pktgen.reset the range packet holds Pktgen's defaults; all the
    -- stepping fields must start on the same side of their ranges.
    local pid = tonumber(PORT)
    local sides = { side(RESET_SPORT, SRC_PORT_BASE, sport_max),
                    side(RESET_DPORT, DST_PORT_BASE, dport_max) }
    if PER_STREAM_SRC_IP and STREAMS > 1 then
        sides[#sides + 1] = side(PKTGEN_RESET_SRC + pid * 256, src_lo, src_hi)
    end
    for _, s in ipairs(sides) do
        if s == "inside" or s ~= sides[1] then
            error(string.format("SRC_PORT_BASE/DST_PORT_BASE/SRC_IP would start the range " ..
                                "fields out of step (Pktgen resets them to %d, %d and 192.168.%d.1): " ..
                                "use port bases above those ports and a source above that address, " ..
                                "or PER_STREAM_SRC_IP = false", RESET_SPORT, RESET_DPORT, pid), 0)
        end
    end

    pktgen.stop(PORT)
    pktgen.reset(PORT)                 -- known starting point (also clears the pattern)
    pktgen.set(PORT, "count", 0)       -- 0 = until stopped
    pktgen.set(PORT, "burst", BURST)
    -- Rate pacing (pktgen_wire_size) uses the single-packet size even in
    -- range mode, so set it to the range frame size too.
    pktgen.set(PORT, "size", PKTGEN_SIZE)

    pktgen.range.set_type(PORT, "ipv4")
    pktgen.range.ip_proto(PORT, "udp")
    if DST_MAC then pktgen.range.dst_mac(PORT, "start", DST_MAC) end
    if SRC_MAC then pktgen.range.src_mac(PORT, "start", SRC_MAC) end

    pktgen.range.src_ip(PORT, "start", n2ip(src_lo))
    pktgen.range.src_ip(PORT, "min", n2ip(src_lo))
    pktgen.range.src_ip(PORT, "max", n2ip(src_hi))
    pktgen.range.src_ip(PORT, "inc", (PER_STREAM_SRC_IP and STREAMS > 1) and "0.0.0.1" or "0.0.0.0")

    pktgen.range.dst_ip(PORT, "start", DST_IP)
    pktgen.range.dst_ip(PORT, "min", DST_IP)
    pktgen.range.dst_ip(PORT, "max", DST_IP)
    pktgen.range.dst_ip(PORT, "inc", "0.0.0.0")

    pktgen.range.src_port(PORT, "start", SRC_PORT_BASE)
    pktgen.range.src_port(PORT, "min", SRC_PORT_BASE)
    pktgen.range.src_port(PORT, "max", sport_max)
    pktgen.range.src_port(PORT, "inc", 2)

    pktgen.range.dst_port(PORT, "start", DST_PORT_BASE)
    pktgen.range.dst_port(PORT, "min", DST_PORT_BASE)
    pktgen.range.dst_port(PORT, "max", dport_max)
    pktgen.range.dst_port(PORT, "inc", 2)

    pktgen.range.ttl(PORT, "start", TTL)
    pktgen.range.ttl(PORT, "inc", 0)

    pktgen.range.pkt_size(PORT, "start", PKTGEN_SIZE)
    pktgen.range.pkt_size(PORT, "inc", 0)

    if RTP_HEADER then
        pktgen.pattern(PORT, "user")
        pktgen.userPattern(PORT, rtp_pattern())
    end

    pktgen.set_range(PORT, "on")
    pktgen.set(PORT, "rate", rate_for(STREAMS * PPS_PER_STREAM, PORT))

    say("range: %d streams, %s..%s:%d..%d -> %s:%d..%d, %d-byte frames",
        STREAMS, n2ip(src_lo), n2ip(src_hi), SRC_PORT_BASE, sport_max,
        DST_IP, DST_PORT_BASE, dport_max, FRAME_LEN)
end

local function run()
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
local ok, err = pcall(function()
    configure()
    run()
end)
if not ok then
    pcall(pktgen.stop, PORT)
    say("rtp-streams.lua: %s", tostring(err))
end
if SCREEN_OFF then pktgen.screen("on") end
if QUIT_AT_END then pktgen.quit() end
