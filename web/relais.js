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
// text goes to the console.
"use strict";

const relais = (() => {
  const query = new URLSearchParams(location.search);
  const state = { errors: [], resource: null, pc: null, page: "" };

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
    await gathered(pc, 1000);
    status(`${what} ${url}`);
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
    state.pc.addEventListener("connectionstatechange", () => {
      if (state.pc.connectionState === "failed") fail("connection failed");
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
      localCandidateType: null, errors: state.errors };
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
        // The selected path's local end: "host", or "relay" through TURN.
        const pair = stats.get(st.selectedCandidatePairId);
        const local = pair && stats.get(pair.localCandidateId);
        s.localCandidateType = local ? local.candidateType : null;
      }
    });
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

  return { param, intParam, status, fail, signal, peer, every };
})();
