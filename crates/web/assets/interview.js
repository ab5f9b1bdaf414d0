// The video interview in the browser, for both sides: the applicant's waiting room and the
// officer's console. The page keeps the browser's time zone in the `tz` cookie so times show
// on the applicant's clock. In a call, the camera and microphone go to an RTCPeerConnection;
// offers, answers, ICE candidates and the hang-up travel over the platform's WebSocket (the
// protocol of docs/INTERVIEWS.md). The officer starts the call ("开始通话"), may take
// snapshots (截图) of the applicant's video, and hangs up.
(function () {
  "use strict";

  const page = document.getElementById("interview-page");
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (page && zone) {
    const already = document.cookie.split("; ").indexOf("tz=" + encodeURIComponent(zone)) >= 0;
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; SameSite=Lax";
    if (!already && page.dataset.zone !== zone) window.location.reload();
  }

  const call = document.getElementById("call");
  if (!call) return;
  const role = call.dataset.role;
  const status = document.getElementById("call-status");
  const localVideo = document.getElementById("local-video");
  const remoteVideo = document.getElementById("remote-video");
  const hangUp = document.getElementById("hang-up");
  let socket = null;
  let peer = null;
  let stream = null;
  let iceServers = [];
  let peerPresent = false;
  let started = call.dataset.started === "1";
  let ended = false;
  let pending = [];

  function say(text) { status.textContent = text; }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function newPeer() {
    if (peer) peer.close();
    pending = [];
    peer = new RTCPeerConnection({ iceServers: iceServers });
    if (stream) stream.getTracks().forEach(function (track) { peer.addTrack(track, stream); });
    peer.onicecandidate = function (event) {
      if (event.candidate) send({ type: "candidate", candidate: event.candidate.toJSON() });
    };
    peer.ontrack = function (event) { remoteVideo.srcObject = event.streams[0]; };
    peer.onconnectionstatechange = function () {
      call.dataset.connection = peer.connectionState;
      if (peer.connectionState === "connected") {
        say(call.dataset.connected);
        hangUp.hidden = false;
      }
    };
    return peer;
  }

  async function offer() {
    const connection = newPeer();
    const description = await connection.createOffer();
    await connection.setLocalDescription(description);
    send({ type: "offer", sdp: description.sdp });
  }

  async function flush() {
    const waiting = pending;
    pending = [];
    for (const candidate of waiting) await peer.addIceCandidate(candidate);
  }

  function end() {
    ended = true;
    if (peer) peer.close();
    call.dataset.connection = "closed";
    hangUp.hidden = true;
    remoteVideo.srcObject = null;
    say(call.dataset.ended);
    document.dispatchEvent(new CustomEvent("interview-ended"));
  }

  async function handle(message) {
    switch (message.type) {
      case "welcome":
        iceServers = message.ice_servers || [];
        send({ type: "hello" });
        break;
      case "hello":
      case "here":
        peerPresent = true;
        if (message.type === "hello") send({ type: "here" });
        if (role === "officer" && started && !ended) await offer();
        break;
      case "offer": {
        ended = false;
        const connection = newPeer();
        await connection.setRemoteDescription({ type: "offer", sdp: message.sdp });
        const answer = await connection.createAnswer();
        await connection.setLocalDescription(answer);
        send({ type: "answer", sdp: answer.sdp });
        await flush();
        break;
      }
      case "answer":
        if (peer) {
          await peer.setRemoteDescription({ type: "answer", sdp: message.sdp });
          await flush();
        }
        break;
      case "candidate":
        if (peer && peer.remoteDescription) await peer.addIceCandidate(message.candidate);
        else pending.push(message.candidate);
        break;
      case "hangup":
        end();
        break;
      case "error":
        say(message.code);
        break;
    }
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + call.dataset.signal);
    socket.onmessage = function (event) { handle(JSON.parse(event.data)); };
    socket.onclose = function () { if (!ended) window.setTimeout(connect, 2000); };
  }

  hangUp.addEventListener("click", function () {
    send({ type: "hangup" });
    end();
  });

  // The officer's console: start the call, take snapshots.
  const start = document.getElementById("start-call");
  if (start) {
    start.addEventListener("click", async function () {
      const reason = document.getElementById("override-reason");
      const body = reason && reason.value.trim() ? { override_reason: reason.value.trim() } : {};
      const response = await fetch(call.dataset.start, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      if (!response.ok) {
        const answer = await response.json().catch(function () { return null; });
        say(answer && answer.error ? answer.error.message : String(response.status));
        return;
      }
      started = true;
      ended = false;
      start.disabled = true;
      say(call.dataset.calling);
      if (peerPresent) await offer();
    });
  }
  const snapshot = document.getElementById("take-snapshot");
  if (snapshot) {
    snapshot.addEventListener("click", function () {
      const canvas = document.createElement("canvas");
      canvas.width = remoteVideo.videoWidth;
      canvas.height = remoteVideo.videoHeight;
      if (!canvas.width || !canvas.height) return;
      canvas.getContext("2d").drawImage(remoteVideo, 0, 0);
      canvas.toBlob(async function (blob) {
        const response = await fetch(call.dataset.snapshots, {
          method: "POST",
          headers: { "Content-Type": "image/jpeg" },
          body: blob,
          credentials: "same-origin",
        });
        if (!response.ok) return;
        const view = await response.json();
        const list = document.getElementById("snapshots");
        list.textContent = "";
        view.snapshots.forEach(function (shot) {
          const image = document.createElement("img");
          image.src = shot.url;
          image.alt = snapshot.textContent;
          image.className = "snapshot";
          list.appendChild(image);
        });
      }, "image/jpeg", 0.9);
    });
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    navigator.mediaDevices.getUserMedia({ video: true, audio: true })
      .then(function (media) { stream = media; localVideo.srcObject = media; })
      .catch(function () { say(call.dataset.cameraDenied); })
      .finally(connect);
  } else {
    say(call.dataset.cameraDenied);
    connect();
  }
})();
