-- SPDX-License-Identifier: BSD-3-Clause
--
-- mock-pktgen.lua: run rtp-streams.lua / rtp-pcap-replay.lua under a stock
-- Lua interpreter (5.3 or 5.4) against a model of the `pktgen` module, where
-- no Pktgen-DPDK is available.
--
--   lua5.3 pktgen-scripts/mock-pktgen.lua pktgen-scripts/rtp-streams.lua [new|old] [NAME=value ...]
--
-- new|old picks the pktgen.portStats form (26.02+: portStats(list) ->
-- t[pid].curr; 25.08 and earlier: portStats(list, "port") -> t[pid]).
-- NAME=value sets a global before the script is loaded (STREAMS=1000 ...).
--
-- The model is written from Pktgen-DPDK's sources, not taken from them:
-- argument counts as app/lpktgenlib.c checks them, range stepping as in
-- app/pktgen-range.c (value += inc; below min -> max, above max -> min),
-- values after pktgen.reset as app/pktgen-cmds.c sets them, the user fill
-- pattern as app/pktgen.c applies it (byte at offset o = pattern[o % 16]),
-- and tx pacing as pktgen_packet_rate computes it (single-packet size +
-- 24 bytes overhead).  It checks what the real one cannot be asked about
-- here; it is not Pktgen.  Exit status 0 when every check passes.

local script = assert(arg[1], "usage: mock-pktgen.lua SCRIPT [new|old] [NAME=value ...]")
local api = "new"
for i = 2, #arg do
    local k, v = arg[i]:match("^([%w_]+)=(.*)$")
    if k then
        _G[k] = tonumber(v) or (v == "true" and true) or (v ~= "false" and v) or false
    elseif arg[i] == "new" or arg[i] == "old" then
        api = arg[i]
    else
        error("unknown argument " .. arg[i])
    end
end

local failures, checks = 0, 0
local function check(cond, fmt, ...)
    checks = checks + 1
    if not cond then
        failures = failures + 1
        io.stderr:write("mock FAIL: " .. string.format(fmt, ...) .. "\n")
    end
end

local LINK_MBPS = tonumber(_G.MOCK_LINK_MBPS or 10000)
-- Pktgen's reset defaults for a port's source and destination (a.b.0.1
-- and a.b.1.1 with a.b = 192.168), kept numeric: the model sends nothing.
local RESET_SRC = 0xC0A80001
local RESET_DST = 0xC0A80101

local function ip2n(s)
    local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    assert(a, "bad IPv4 " .. s)
    return ((tonumber(a) * 256 + tonumber(b)) * 256 + tonumber(c)) * 256 + tonumber(d)
end

-- Per-port model.
local ports = {}
local function port(list)
    assert(type(list) == "string" or type(list) == "number", "portlist must be string or number")
    local pid = tonumber(list)
    assert(pid, "mock supports single-port lists only, got " .. tostring(list))
    if not ports[pid] then
        ports[pid] = {}
    end
    return ports[pid], pid
end

local function reset(p, pid)
    p.sending = false
    p.mode = "single"
    p.single_size = 60                               -- 64 - FCS
    p.burst = 64
    p.rate = 100
    p.pattern_type, p.pattern = "abc", nil
    p.pkt = { sport = 1234, dport = 5678, src = RESET_SRC + pid * 256,
              dst = RESET_DST + pid * 256, ttl = 64, size = 60 }
    p.range = { sport = { start = 1234, min = 0, max = 65535, inc = 1 },
                dport = { start = 5678, min = 0, max = 65535, inc = 1 },
                src = { start = RESET_SRC, min = RESET_SRC, max = (RESET_SRC + 253), inc = 0 },
                dst = { start = RESET_DST, min = RESET_DST, max = (RESET_DST + 253), inc = 1 },
                ttl = { start = 64, min = 0, max = 255, inc = 0 },
                size = { start = 60, min = 60, max = 1514, inc = 0 } }
    p.type, p.proto = "ipv4", "tcp"
    p.tx, p.rx, p.txb = 0, 0, 0
    p.pcap_loaded = (_G.MOCK_PCAP_FRAME ~= nil)
end

local function nargs(name, want, ...)
    local got = select("#", ...)
    if got ~= want then
        error(string.format("%s, wrong number of arguments (%d, Pktgen checks for %d)", name, got, want), 2)
    end
end

local SMMI = { start = "start", min = "min", minimum = "min", max = "max", maximum = "max",
               inc = "inc", increment = "inc" }

local function range_field(field, conv)
    return function(...)
        nargs("range." .. field, 3, ...)
        local list, what, v = ...
        local p = port(list)
        local k = SMMI[what]
        check(k ~= nil, "range.%s: '%s' is not start|min|max|inc", field, tostring(what))
        if not k then return end
        v = conv(v, k)
        p.range[field][k] = v
    end
end

local function as_port(v, k)
    v = math.tointeger(v) or error("port value must be an integer")
    if k == "inc" and v > 64 then v = 64 end       -- Pktgen caps port increments at 64
    return v
end
local function as_ip(v)
    return ip2n(tostring(v))
end
local function as_int(v)
    return math.tointeger(v) or error("integer expected")
end
local function as_size(v, k)
    v = as_int(v)
    if k == "inc" then return v end
    if v < 64 then v = 64 end
    return v - 4                                  -- Pktgen stores sizes without FCS
end

pktgen = { range = {} }
pktgen.range.src_port = range_field("sport", as_port)
pktgen.range.dst_port = range_field("dport", as_port)
pktgen.range.src_ip = range_field("src", as_ip)
pktgen.range.dst_ip = range_field("dst", as_ip)
pktgen.range.ttl = range_field("ttl", as_int)
pktgen.range.pkt_size = range_field("size", as_size)
pktgen.range.dst_mac = function(...) nargs("range.dst_mac", 3, ...) end
pktgen.range.src_mac = function(...) nargs("range.src_mac", 3, ...) end
pktgen.range.set_type = function(...)
    nargs("range.set_type", 2, ...)
    local p = port((...)); p.type = select(2, ...)
end
pktgen.range.ip_proto = function(...)
    nargs("range.ip_proto", 2, ...)
    local p = port((...)); p.proto = select(2, ...)
end

local function estate(s) return s == "on" or s == "enable" or s == "start" end

pktgen.reset = function(...) nargs("reset", 1, ...); local p, pid = port((...)); reset(p, pid) end
pktgen.stop = function(...) nargs("stop", 1, ...); port((...)).sending = false end
pktgen.screen = function(...) nargs("screen", 1, ...) end
pktgen.page = function(...) nargs("page", 1, ...) end
pktgen.clr = function() for _, p in pairs(ports) do p.tx, p.rx, p.txb = 0, 0, 0 end end
pktgen.quit = function() end
pktgen.set_range = function(...)
    nargs("set_range", 2, ...)
    local list, st = ...
    local p = port(list)
    check(not p.sending, "set_range while sending")
    p.mode = estate(st) and "range" or "single"
end
pktgen.pcap = function(...)
    nargs("pcap", 2, ...)
    local list, st = ...
    local p = port(list)
    if p.pcap_loaded then p.mode = estate(st) and "pcap" or "single" end
end
pktgen.pattern = function(...)
    nargs("pattern", 2, ...)
    local list, t = ...
    port(list).pattern_type = t
end
pktgen.userPattern = function(...)
    nargs("userPattern", 2, ...)
    local list, s = ...
    local p = port(list)
    check(#s <= 15, "user pattern is %d bytes; Pktgen keeps 15", #s)
    check(not s:find("\0", 1, true), "user pattern contains a zero byte (ends the C string)")
    check(s:sub(1, 1) ~= '"' and s:sub(1, 1) ~= "'", "user pattern starts with a quote (Pktgen strips it)")
    p.pattern_type, p.pattern = "user", s:sub(1, 15)
end
pktgen.set = function(...)
    nargs("set", 3, ...)
    local list, what, v = ...
    local p = port(list)
    check(tonumber(v) ~= nil, "set %s: value %s is not a number", what, tostring(v))
    if what == "count" then p.count = tonumber(v)
    elseif what == "burst" then p.burst = tonumber(v)
    elseif what == "size" then p.single_size = math.max(64, tonumber(v)) - 4
    elseif what == "rate" then
        local r = tonumber(v)
        if r == 0 then r = 0.01 elseif r > 100 then r = 100 end
        p.rate = r
    else check(false, "set: unexpected option %s", tostring(what)) end
end
pktgen.linkState = function(...)
    nargs("linkState", 1, ...)
    local _, pid = port((...))
    return { [pid] = string.format("<UP-%d-FD>", LINK_MBPS), n = 1 }
end
pktgen.portStats = function(...)
    local n = select("#", ...)
    local list, typ = ...
    if api == "new" then
        nargs("portStats", 1, ...)
    else
        nargs("portStats", 2, ...)
        check(typ == "port" or typ == "rate", "portStats type %s", tostring(typ))
    end
    local p, pid = port(list)
    local s = { ipackets = p.rx, opackets = p.tx, ibytes = p.rx * 214, obytes = p.txb,
                ierrors = 0, oerrors = 0, imissed = 0, rx_nombuf = 0 }
    if api == "new" then
        return { [pid] = { curr = s, sizes = {}, qstats = {} }, n = 1 }
    end
    return { [pid] = s, n = 1 }
end

-- Frame of one range packet (headers only where the check needs them).
local function frame_bytes(p)
    local len = p.range.size.start
    local b = {}
    for o = 0, len - 1 do
        if p.pattern_type == "user" then
            local pat = p.pattern or ""
            local i = o % 16
            b[o] = i < #pat and pat:byte(i + 1) or 0
        else
            b[o] = string.byte("abcdefghijklmnopqrstuvwxyz012345", (o % 32) + 1)
        end
    end
    return b, len
end

local function step(f, cur)
    if f.inc == 0 then return f.start end
    local v = cur + f.inc
    if v < f.min then v = f.max elseif v > f.max then v = f.min end
    return v
end

local range_report = nil
pktgen.start = function(...)
    nargs("start", 1, ...)
    local p, pid = port((...))
    p.sending = true
    p.wire = ((p.mode == "pcap") and _G.MOCK_PCAP_FRAME or p.single_size) + 24
    p.frame = (p.mode == "pcap") and _G.MOCK_PCAP_FRAME or
              (p.mode == "range" and p.range.size.start) or p.single_size
    p.pps = math.floor(LINK_MBPS * 1e6 / (p.wire * 8) * p.rate / 100)
    if p.mode ~= "range" then return end
    check(p.proto:sub(1, 1) == "u", "range protocol %s, expected udp", p.proto)
    check(p.type:sub(4, 4) == "4", "range type %s, expected ipv4", p.type)
    -- Build the first mbufs as Pktgen does at start: step each field from
    -- the range packet's current values.
    local r, pkt = p.range, p.pkt
    local n = math.floor((r.dport.max - r.dport.min) / math.max(r.dport.inc, 1)) + 1
    local seen, first = {}, nil
    for j = 1, 3 * n + 7 do
        pkt.sport = step(r.sport, pkt.sport)
        pkt.dport = step(r.dport, pkt.dport)
        pkt.src = step(r.src, pkt.src)
        pkt.dst = step(r.dst, pkt.dst)
        local si = (pkt.sport - r.sport.min) / 2
        local di = (pkt.dport - r.dport.min) / 2
        local ii = (r.src.inc ~= 0) and (pkt.src - r.src.min) or di
        check(si == di and ii == di, "mbuf %d out of step: sport stream %s, dport stream %s, src ip stream %s",
              j, tostring(si), tostring(di), tostring(ii))
        seen[di] = (seen[di] or 0) + 1
        first = first or di
    end
    local distinct = 0
    for _ in pairs(seen) do distinct = distinct + 1 end
    local b, len = frame_bytes(p)
    range_report = { streams = distinct, first = first, frame = len, bytes = b }
end
pktgen.delay = function(...)
    nargs("delay", 1, ...)
    local ms = ...
    for _, p in pairs(ports) do
        if p.sending then
            local k = math.floor(p.pps * ms / 1000)
            p.tx = p.tx + k
            p.txb = p.txb + k * p.frame
            p.rx = p.rx + k          -- loopback through an ideal relay
        end
    end
end

package.preload["Pktgen"] = function() return true end
for pid = 0, 1 do local p = port(pid); reset(p, pid) end

-- Capture the script's output.
local out = {}
local real_print = print
print = function(...)
    local t = {}
    for i = 1, select("#", ...) do t[#t + 1] = tostring((select(i, ...))) end
    out[#out + 1] = table.concat(t, "\t")
    real_print(...)
end

dofile(script)
print = real_print

local text = table.concat(out, "\n")
check(not text:find("rtp%-streams%.lua: ") and not text:find("rtp%-pcap%-replay%.lua: "),
      "script reported an error")
check(text:find("summary: ") ~= nil, "no summary printed")
check(not text:find("WARNING"), "script printed a warning")

local streams = tonumber(_G.STREAMS or 100)
local pps_target = streams * tonumber(_G.PPS_PER_STREAM or 50)
local p0 = ports[tonumber(_G.PORT or 0)]
if p0.pps then
    check(math.abs(p0.pps - pps_target) <= math.max(1, pps_target * 0.001) or p0.rate == 0.01,
          "paced at %d pps, wanted %d", p0.pps, pps_target)
    print(string.format("mock: paced at %d pps for %d wanted (rate %.4f%% of %d Mb/s)",
                        p0.pps, pps_target, p0.rate, LINK_MBPS))
end
if range_report then
    check(range_report.streams == streams, "range cycles %d streams, wanted %d",
          range_report.streams, streams)
    check(range_report.frame == 214, "range frame %d bytes, wanted 214", range_report.frame)
    local b = range_report.bytes
    if p0.pattern_type == "user" then
        local v, pt = b[42] >> 6, b[43] & 0x7f
        local ssrc = ((b[50] * 256 + b[51]) * 256 + b[52]) * 256 + b[53]
        check(v == 2, "RTP version %d at frame offset 42", v)
        check(pt == tonumber(_G.RTP_PT or 8), "RTP PT %d", pt)
        print(string.format("mock: range: %d streams in step, RTP v%d PT %d seq %d ts 0x%08x SSRC 0x%08x",
                            range_report.streams, v, pt, b[44] * 256 + b[45],
                            ((b[46] * 256 + b[47]) * 256 + b[48]) * 256 + b[49], ssrc))
    end
end
print(string.format("mock: %s: %d checks, %d failed (portStats %s form)", script, checks, failures, api))
os.exit(failures == 0 and 0 or 1)
