/* Meridian demo player: opens a session at the edge (or a zone), plays it with hls.js, shows zone/origin headers and ad breaks. */
/* global Hls, document, fetch, Option, URL */
(async () => {
  const $ = (id) => document.getElementById(id);
  const config = await (await fetch('/config.json')).json();
  $('hlsVersion').textContent = config.hlsVersion;
  const bases = [{ id: 'edge', url: config.edge }, ...config.zones];
  for (const b of bases) $('via').add(new Option(`${b.id} (${b.url})`, b.url));
  if (config.channelId) $('content').add(new Option(`live channel ${config.channelId}`, 'live'));
  // Reads a response header only when the server exposed it (CORS), without the browser's console noise.
  const header = (details, name) => {
    if (!details || typeof details.getAllResponseHeaders !== 'function') return null;
    const line = details
      .getAllResponseHeaders()
      .split('\r\n')
      .find((l) => l.toLowerCase().startsWith(`${name}:`));
    return line ? line.slice(name.length + 1).trim() : null;
  };
  const fmt = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;

  let hls;
  async function start() {
    if (hls) hls.destroy();
    for (const id of ['zone', 'origin', 'level', 'state']) $(id).textContent = '—';
    const base = $('via').value;
    const created = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify($('content').value === 'live' ? { channelId: config.channelId } : { assetId: config.assetId }) });
    if (!created.ok) {
      $('state').innerHTML = `<span class="err">session: HTTP ${created.status}</span>`;
      return;
    }
    const session = await created.json();
    const masterUrl = new URL(session.masterUrl, base).href;
    $('masterUrl').textContent = masterUrl;
    $('session').textContent = `${session.sessionId.slice(0, 24)}…`;
    hls = new Hls({ enableWorker: true });
    hls.on(Hls.Events.MANIFEST_LOADED, (_e, d) => {
      const zone = header(d.networkDetails, 'x-meridian-zone');
      if (zone) $('zone').textContent = `${zone} (master)`;
    });
    hls.on(Hls.Events.LEVEL_LOADED, (_e, d) => {
      const zone = header(d.networkDetails, 'x-meridian-zone');
      if (zone) $('zone').textContent = `${zone} (media playlist ${d.level})`;
    });
    hls.on(Hls.Events.FRAG_LOADED, (_e, d) => {
      const origin = header(d.networkDetails, 'x-meridian-origin') ?? `${new URL(d.frag.url).host} (no x-meridian-origin)`;
      $('origin').textContent = `${origin} (segment ${d.frag.sn})`;
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_e, d) => {
      const l = hls.levels[d.level];
      if (l) $('level').textContent = `${l.height}p @ ${Math.round(l.bitrate / 1000)} kb/s`;
    });
    hls.on(Hls.Events.ERROR, (_e, d) => {
      $('state').innerHTML = `<span class="${d.fatal ? 'err' : 'muted'}">${d.fatal ? 'fatal' : 'recovered'}: ${d.details}</span>`;
    });
    hls.loadSource(masterUrl);
    hls.attachMedia($('video'));
    $('video').play().catch(() => undefined);
    loadBreaks(new URL(session.trackingUrl, base).href);
  }

  async function loadBreaks(url) {
    const table = $('breaks');
    try {
      const res = await fetch(url);
      const json = await res.json();
      table.innerHTML = '<tr><th>break</th><th>at</th><th>length</th><th>fill</th><th>ads</th></tr>';
      for (const a of json.avails ?? []) {
        const row = table.insertRow();
        row.dataset.start = a.startTimeInSeconds;
        row.dataset.end = a.startTimeInSeconds + a.durationInSeconds;
        row.className = 'ad';
        row.innerHTML = `<td>${a.availId}</td><td>${fmt(a.startTimeInSeconds)}</td><td>${a.durationInSeconds}s</td><td>${a.fill}</td><td>${(a.ads ?? []).map((ad) => `${ad.adId} (${ad.durationInSeconds}s)`).join(', ') || '—'}</td>`;
      }
      if (!json.avails || json.avails.length === 0) table.innerHTML = '<tr><td class="muted">no ad breaks</td></tr>';
      table.insertRow().innerHTML = `<td colspan="5" class="muted">served by ${res.headers.get('x-meridian-zone') ?? '?'}</td>`;
    } catch (e) {
      table.innerHTML = `<tr><td class="err">tracking: ${e.message}</td></tr>`;
    }
  }

  let hls2;
  $('blackoutPlay').onclick = () => {
    if (hls2) hls2.destroy();
    const country = $('country').value;
    const zone = config.zones[0];
    // The zone trusts this header for the viewer's country (at the edge, request.cf decides);
    // only zone requests carry it, so segment requests stay simple (no CORS preflight).
    hls2 = new Hls({
      xhrSetup: (xhr, url) => {
        if (url.startsWith(zone.url)) xhr.setRequestHeader('CloudFront-Viewer-Country', country);
      },
    });
    hls2.on(Hls.Events.ERROR, (_e, d) => {
      if (d.fatal) $('blackoutState').textContent = `fatal: ${d.details}`;
    });
    hls2.on(Hls.Events.MANIFEST_PARSED, () => {
      $('blackoutState').textContent = `playing as a viewer in ${country} through ${zone.id}`;
    });
    hls2.loadSource(`${zone.url}/v1/vod/${config.assetId}/master.m3u8`);
    hls2.attachMedia($('video2'));
    $('video2').play().catch(() => undefined);
  };

  // Marks the break the playhead is in (VOD: the breaks are positions on the content timeline).
  $('video').addEventListener('timeupdate', () => {
    const t = $('video').currentTime;
    for (const row of $('breaks').rows) {
      if (row.dataset.start === undefined) continue;
      row.style.fontWeight = t >= Number(row.dataset.start) && t < Number(row.dataset.end) ? 'bold' : '';
    }
  });

  $('restart').onclick = () => start();
  $('via').onchange = () => start();
  $('content').onchange = () => start();
  start();
})();
