// SPDX-License-Identifier: BSD-3-Clause
//
// The shared part of relais's publish and watch pages (web/publish.html,
// web/watch.html), served by relais-edge --pages. Plain JavaScript, no
// library, no outside URL. Query parameters of both pages:
//   room=ROOM      the room id (decimal)
//   token=JWT      a bearer token of the application backend (README.md)
//   api=URL        the WHIP/WHEP base URL (default: this page's origin)
//   report=URL     optional: POST the getStats summary there as JSON, 1/s
//   relay=1        use only the relay candidates of the node's TURN servers
// The status line (#status) tells a person what is happening; the same
// text goes to the console. A page whose ICE connection stays disconnected
// for 2 s or fails (its network changed) restarts ICE: a new ufrag PATCHed
// to its WHIP/WHEP resource (RFC 9725 §4.3), the node's new credentials set.
// The summary's "timing" gives performance.now() (ms) at the page's steps
// of the join: start (offer made), post, answer, connected, firstDecoded
// (getStats polled every 20 ms: the first decoded video frame) and
// firstFrame (requestVideoFrameCallback: the first frame shown); null
// until reached.
"use strict";

const relais = (() => {
  const query = new URLSearchParams(location.search);
  // How long ICE may stay disconnected before the page restarts it: a
  // browser whose network changed keeps sending on its old path otherwise
  // (Chromium gathers no candidates on a new network by itself).
  const RESTART_GRACE_MS = 2000;
  const state = { errors: [], resource: null, etag: null, answer: null, pc: null, page: "",
    restarts: 0, restarting: false,
    timing: { start: null, post: null, answer: null, connected: null, firstDecoded: null,
      firstFrame: null } };

  // A query parameter, or dflt when absent or empty.
  function param(name, dflt) {
    const v = query.get(name);
    return v === null || v === "" ? dflt : v;
  }

  // An integer query parameter within lo..hi, or dflt.
  function intParam(name, dflt, lo, hi) {
    const v = parseInt(param(name, ""), 10);
    return Number.isInteger(v) && v >= lo && v <= hi ? v : dflt;
  }

  // Show text on the status line and in the console.
  function status(text) {
    const el = document.getElementById("status");
    if (el) el.textContent = text;
    console.log("relais: " + text);
  }

  // Record performance.now() as timing step name, the first time only.
  function mark(name) {
    if (state.timing[name] === null) state.timing[name] = performance.now();
  }

  // Record an error (reported, shown on the status line from now on).
  function fail(text) {
    state.errors.push(String(text));
    status("error: " + text);
  }

  // Wait until ICE gathering is complete or ms have passed: relais is
  // ICE-lite and needs none of our candidates, so a short wait is enough.
  function gathered(pc, ms) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { pc.removeEventListener("icegatheringstatechange", check); resolve(); };
      const check = () => { if (pc.iceGatheringState === "complete") done(); };
      pc.addEventListener("icegatheringstatechange", check);
      setTimeout(done, ms);
    });
  }

  // The ICE servers of a Link header value (RFC 9725 §4.6; fetch joins
  // several Link headers with ", "): [{urls, username, credential}].
  function iceServersOf(value) {
    const out = [];
    for (const part of (value || "").split(/,\s*(?=<)/)) {
      const m = part.match(/^\s*<([^>]*)>(.*)$/);
      if (!m) continue;
      const p = {};
      for (const a of m[2].matchAll(/;\s*([\w-]+)="?([^";]*)"?/g)) p[a[1]] = a[2];
      if (p.rel !== "ice-server") continue;
      const server = { urls: m[1] };
      if (p.username) Object.assign(server, { username: p.username, credential: p.credential });
      out.push(server);
    }
    return out;
  }

  // Ask the node for its ICE servers (an OPTIONS with the token: relais
  // answers with TURN servers and credentials as Link headers when its
  // operator runs one) and give them to pc before it gathers; ?relay=1
  // forces every path through them (iceTransportPolicy "relay"), as a
  // network that blocks UDP does.
  async function useIceServers(url, token, pc) {
    let servers = [];
    try {
      const r = await fetch(url, { method: "OPTIONS",
        headers: { "Authorization": "Bearer " + token } });
      servers = iceServersOf(r.headers.get("Link"));
    } catch (e) {
      console.log("relais: no ICE servers: " + e);
    }
    const relay = param("relay", "") === "1";
    if (servers.length === 0 && !relay) return;
    pc.setConfiguration(Object.assign(pc.getConfiguration(),
      { iceServers: servers, iceTransportPolicy: relay ? "relay" : "all" }));
    status(`ICE servers: ${servers.map((s) => s.urls).join(" ") || "none"}` +
      (relay ? " (relay only)" : ""));
  }

  // The offer of pc POSTed to WHIP or WHEP (kind "whip" or "whep") of the
  // room, the answer set; the resource URL kept for DELETE. Throws when the
  // node refuses (the body names the reason) or the browser fails.
  async function exchange(kind, pc) {
    const room = param("room", ""), token = param("token", "");
    const what = kind.toUpperCase() + " POST";
    if (!room || !token) throw new Error("this page needs ?room=ROOM&token=TOKEN");
    const url = `${param("api", location.origin)}/${kind}/${encodeURIComponent(room)}`;
    await useIceServers(url, token, pc);
    await pc.setLocalDescription(await pc.createOffer());
    mark("start");
    await gathered(pc, 1000);
    status(`${what} ${url}`);
    mark("post");
    let r;
    try {
      r = await fetch(url, { method: "POST", body: pc.localDescription.sdp,
        headers: { "Content-Type": "application/sdp", "Authorization": "Bearer " + token } });
    } catch (e) {
      throw new Error(`${what} failed: ${e}`);
    }
    const body = await r.text();
    if (r.status !== 201) throw new Error(`${what}: ${r.status} ${body.trim()}`);
    const loc = r.headers.get("Location");
    state.resource = loc ? new URL(loc, r.url).href : null;
    state.etag = r.headers.get("ETag");
    state.answer = body;
    mark("answer");
    await pc.setRemoteDescription({ type: "answer", sdp: body });
    status(`${what}: 201, connecting`);
  }

  // exchange(), its failure recorded and shown; true when it succeeded.
  async function signal(kind, pc) {
    try {
      await exchange(kind, pc);
      return true;
    } catch (e) {
      fail(e.message || String(e));
      return false;
    }
  }

  // The value of SDP attribute name (e.g. "ice-ufrag") in text, or null.
  function attr(text, name) {
    const m = new RegExp(`^a=${name}:(\\S+)`, "m").exec(text);
    return m ? m[1] : null;
  }

  // ICE restart (RFC 9725 §4.3): an offer with new credentials, its ufrag
  // and pwd PATCHed to the resource, the answer given the node's new ones.
  // One at a time; a failure is recorded.
  async function restartIce(pc) {
    if (!state.resource || state.restarting || pc.signalingState !== "stable") return;
    state.restarting = true;
    try {
      const offer = await pc.createOffer({ iceRestart: true });
      await pc.setLocalDescription(offer);
      const frag = `a=ice-ufrag:${attr(offer.sdp, "ice-ufrag")}\r\n` +
        `a=ice-pwd:${attr(offer.sdp, "ice-pwd")}\r\n`;
      status("ICE restart: PATCH " + state.resource);
      const r = await fetch(state.resource, { method: "PATCH", body: frag,
        headers: { "Content-Type": "application/trickle-ice-sdpfrag",
          "If-Match": state.etag || "*", "Authorization": "Bearer " + param("token", "") } });
      const body = await r.text();
      if (r.status !== 200) throw new Error(`PATCH: ${r.status} ${body.trim()}`);
      const ufrag = attr(body, "ice-ufrag"), pwd = attr(body, "ice-pwd");
      if (!ufrag || !pwd) throw new Error("PATCH: no ice-ufrag/ice-pwd in the answer");
      state.etag = r.headers.get("ETag") || state.etag;
      state.answer = state.answer.replace(/^a=ice-ufrag:\S+/gm, "a=ice-ufrag:" + ufrag)
        .replace(/^a=ice-pwd:\S+/gm, "a=ice-pwd:" + pwd);
      await pc.setRemoteDescription({ type: "answer", sdp: state.answer });
      state.restarts++;
    } catch (e) {
      fail("ICE restart: " + (e.message || e));
    } finally {
      state.restarting = false;
    }
  }

  // Leave: DELETE the WHIP/WHEP resource (keepalive: it outlives the page).
  function leave() {
    if (!state.resource) return;
    fetch(state.resource, { method: "DELETE", keepalive: true,
      headers: { "Authorization": "Bearer " + param("token", "") } }).catch(() => {});
    state.resource = null;
    if (state.pc) state.pc.close();
  }

  // A new peer connection: one BUNDLE transport, no ICE server yet (relais
  // answers with its own host candidate; exchange() adds the node's TURN
  // servers if it has any).
  function peer(page) {
    state.page = page;
    state.pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: "max-bundle" });
    const pc = state.pc;
    let grace = null;
    pc.addEventListener("connectionstatechange", () => {
      if (pc.connectionState === "connected") mark("connected");
      if (pc.connectionState !== "failed") return;
      if (state.resource) restartIce(pc);
      else fail("connection failed");
    });
    // Chromium reports a failed ICE transport as "disconnected" (its
    // crbug 957487): restart once it has been so for RESTART_GRACE_MS.
    pc.addEventListener("iceconnectionstatechange", () => {
      if (pc.iceConnectionState !== "disconnected" || grace !== null) return;
      grace = setTimeout(() => {
        grace = null;
        if (["disconnected", "failed"].includes(pc.iceConnectionState)) restartIce(pc);
      }, RESTART_GRACE_MS);
    });
    addEventListener("pagehide", leave);
    return state.pc;
  }

  // Add the counters of one RTP stats entry into sum (a kind's totals).
  function add(sum, st, fields) {
    for (const f of fields) if (typeof st[f] === "number") sum[f] = (sum[f] || 0) + st[f];
  }

  // The getStats summary: inbound and outbound RTP totals per kind, the
  // transport's ciphers and DTLS state, the errors so far.
  async function summary() {
    const pc = state.pc;
    const s = { page: state.page, room: param("room", ""), time: Date.now(),
      connection: pc ? pc.connectionState : "none",
      inbound: { audio: {}, video: {} }, outbound: { audio: {}, video: {} },
      srtpCipher: null, dtlsCipher: null, tlsVersion: null, dtlsState: null,
      localCandidateType: null, candidate: null, restarts: state.restarts,
      timing: state.timing, errors: state.errors };
    if (!pc) return s;
    const stats = await pc.getStats();
    stats.forEach((st) => {
      if (st.type === "inbound-rtp" && s.inbound[st.kind])
        add(s.inbound[st.kind], st, ["packetsReceived", "bytesReceived", "framesDecoded",
          "totalSamplesReceived", "packetsLost"]);
      else if (st.type === "outbound-rtp" && s.outbound[st.kind])
        add(s.outbound[st.kind], st, ["packetsSent", "bytesSent", "framesEncoded"]);
      else if (st.type === "transport") {
        s.srtpCipher = st.srtpCipher || null;
        s.dtlsCipher = st.dtlsCipher || null;
        s.tlsVersion = st.tlsVersion || null;
        s.dtlsState = st.dtlsState || null;
        s.pair = st.selectedCandidatePairId || null;
      }
    });
    if (s.pair) {
      const pair = stats.get(s.pair), local = pair && stats.get(pair.localCandidateId);
      if (local) s.candidate = `${local.address}:${local.port}`;
      // The selected path's local end: "host", or "relay" through TURN.
      if (local) s.localCandidateType = local.candidateType;
    }
    delete s.pair;
    return s;
  }

  // Every second: the summary to the status line (through line(s)) and,
  // when report= is given, POSTed there as JSON.
  function every(line) {
    const report = param("report", "");
    setInterval(async () => {
      let s;
      try {
        s = await summary();
      } catch (e) {
        fail("getStats: " + e);
        return;
      }
      if (!state.errors.length) status(line(s));
      if (report)
        fetch(report, { method: "POST", body: JSON.stringify(s),
          headers: { "Content-Type": "application/json" } }).catch(() => {});
    }, 1000);
  }

  // Watch for the first decoded video frame: getStats every 20 ms, for at
  // most 60 s, until framesDecoded > 0 (timing.firstDecoded).
  function firstDecoded(pc) {
    const until = performance.now() + 60000;
    const poll = async () => {
      let n = 0;
      (await pc.getStats()).forEach((st) => {
        if (st.type === "inbound-rtp" && st.kind === "video") n += st.framesDecoded || 0;
      });
      if (n > 0) mark("firstDecoded");
      else if (performance.now() < until) setTimeout(poll, 20);
    };
    poll().catch((e) => fail("getStats: " + e));
  }

  return { param, intParam, status, fail, mark, signal, peer, every, firstDecoded };
})();
