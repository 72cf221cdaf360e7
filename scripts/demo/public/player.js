/* Meridian demo player: opens a session at the edge (or a zone), plays it with hls.js, and shows what the servers sent:
   the zone and origin headers, the ad breaks (tracking JSON, playlist DATERANGEs or the interstitial schedule) and
   what a zone serves a viewer in a chosen country. Nothing here is simulated: every value is read from a response. */
/* global Hls, document, fetch, Option, URL, atob, setInterval, setTimeout */
(async () => {
  const $ = (id) => document.getElementById(id);
  const config = await (await fetch('/config.json')).json();
  $('hlsVersion').textContent = config.hlsVersion;
  const bases = [{ id: 'edge', url: config.edge }, ...config.zones];
  for (const b of bases) $('via').add(new Option(`${b.id} (${b.url})`, b.url));
  if (config.channelId) $('content').add(new Option(`live channel ${config.channelId}`, 'live'));
  // SVA ad-id signaling DATERANGEs mark stitched ads; interstitials are their own CLASS (bis Appendix D).
  const AD_CLASS = 'urn:sva:advertising-wg:ad-id-signaling';

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
  // A session token is `<base64url JSON>.<signature>`; its claims (`d`) name the mode (`m`) and the viewer's country (`g`).
  const claimsOf = (token) => {
    try {
      return JSON.parse(atob(token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/'))).d ?? null;
    } catch {
      return null;
    }
  };
  const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  let hls;
  let mode = 'stitched';
  let live = false;
  /** Ad breaks on the stream's timeline: {start, end, label, availId}; total = the timeline's length in seconds. */
  let timeline = { total: 0, marks: [] };
  let avails = [];
  let inCue = false;
  /** Live: the ad DATERANGEs of the current window (the zones stitch an ad into each SCTE-35 break). */
  let liveRanges = [];
  /** The last VOD media playlist hls.js loaded (stitched): its DATERANGEs are matched to the tracking avails. */
  let lastDetails = null;

  const availAtContentOffset = (offsetSeconds) => avails.find((a) => Math.abs(a.startTimeInSeconds - offsetSeconds) < 0.5)?.availId ?? null;

  /** Stitched: the ads are in the playlist, each marked by a DATERANGE; its content offset is its start minus the ads before it. */
  function marksFromDateRanges(details) {
    const ranges = Object.values(details.dateRanges ?? {})
      .filter((r) => r.class === AD_CLASS)
      .sort((a, b) => a.startTime - b.startTime);
    let adsBefore = 0;
    const marks = ranges.map((r) => {
      const duration = r.duration ?? 0;
      const mark = { start: r.startTime, end: r.startTime + duration, label: r.attr['X-AD-ID'] ?? r.id, availId: availAtContentOffset(r.startTime - adsBefore) };
      adsBefore += duration;
      return mark;
    });
    return { total: details.totalduration, marks };
  }

  /**
   * Interstitials: the content is untouched, so the timeline is the content's and each break is a point on it where
   * hls.js plays the asset list (events are kept once seen: CUE="ONCE" takes a played break out of hls.js's schedule).
   */
  const seenEvents = new Map();
  function marksFromEvents(events, primaryDuration) {
    for (const ev of events) {
      const seen = seenEvents.get(ev.identifier) ?? { played: false };
      // hls.js drops a played event's asset list: keep what was learnt from it.
      seenEvents.set(ev.identifier, { ...seen, start: ev.startTime, duration: ev.duration || seen.duration, assets: ev.assetList.length || seen.assets });
    }
    const marks = [...seenEvents].map(([id, ev]) => ({ start: ev.start, end: ev.start, point: true, label: `${ev.assets || '?'} asset(s), ${ev.duration ? `${ev.duration.toFixed(1)} s` : 'length from its asset list'}`, availId: id, played: ev.played }));
    return { total: primaryDuration, marks };
  }

  function drawTimeline() {
    const bar = $('timeline');
    for (const el of [...bar.querySelectorAll('.mark')]) el.remove();
    if (live || timeline.total <= 0) return;
    for (const m of timeline.marks) {
      const el = document.createElement('div');
      el.className = m.point ? 'mark point' : 'mark';
      el.style.left = `${(100 * m.start) / timeline.total}%`;
      el.style.width = m.point ? '6px' : `${Math.max(0.5, (100 * (m.end - m.start)) / timeline.total)}%`;
      el.title = m.point ? `${m.availId}: at ${fmt(m.start)} of the content, ${m.label}` : `${m.availId ?? '?'}: ${m.label} ${fmt(m.start)}–${fmt(m.end)}`;
      el.dataset.availId = m.availId ?? '';
      el.dataset.end = String(m.end);
      bar.appendChild(el);
    }
    const source =
      mode === 'interstitials'
        ? `${fmt(timeline.total)} of content with ${timeline.marks.length} interstitial breaks scheduled by hls.js (DATERANGE CLASS="com.apple.hls.interstitial", X-ASSET-LIST): the ads play in between`
        : `${fmt(timeline.total)} stream with ${timeline.marks.length} stitched ads, marked by DATERANGE CLASS="${AD_CLASS}"`;
    $('timelineNote').textContent = source;
  }

  /** Where the playhead is and whether an ad plays, from the media element (stitched) or hls.js's interstitials manager. */
  function tick() {
    const video = $('video');
    let position = video.currentTime;
    let now = null;
    if (live) {
      // Live tracking avails are in wall-clock seconds (PROGRAM-DATE-TIME), as are the DATERANGEs' START-DATEs.
      const r = liveRanges.find((x) => position >= x.startTime && position < x.startTime + (x.duration ?? 0));
      const availId = r ? (avails.find((a) => Math.abs(a.startTimeInSeconds - r.startDate.getTime() / 1000) < 0.5)?.availId ?? null) : null;
      if (r) $('currentAd').innerHTML = `<span class="ad">ad ${escapeHtml(availId ?? '?')} · ${escapeHtml(r.attr['X-AD-ID'] ?? r.id)} (live, stitched) · ${Math.max(0, r.startTime + r.duration - position).toFixed(1)} s left</span>`;
      else $('currentAd').innerHTML = inCue ? '<span class="ad">SCTE-35 break (EXT-X-CUE-OUT) with no ad stitched in: the content plays through</span>' : 'content (live)';
      for (const row of $('breaks').rows) row.classList.toggle('now', !!availId && row.dataset.availId === availId);
      return;
    }
    const im = mode === 'interstitials' && hls ? hls.interstitialsManager : null;
    if (im) {
      position = im.primary.currentTime;
      const next = marksFromEvents(im.events ?? [], im.primary.duration);
      // Asset lists resolve after the first schedule (the breaks' lengths change): redraw when anything does.
      if (JSON.stringify(next) !== JSON.stringify(timeline)) {
        timeline = next;
        drawTimeline();
      }
      const item = im.playingItem;
      if (item && item.event) {
        const asset = im.playingAsset;
        const player = im.interstitialPlayer;
        now = { availId: item.event.identifier, label: asset ? asset.identifier : item.event.identifier, left: player ? player.duration - player.currentTime : 0, how: 'interstitial' };
      }
    } else {
      const m = timeline.marks.find((x) => position >= x.start && position < x.end);
      if (m) now = { availId: m.availId, label: m.label, left: m.end - position, how: 'stitched' };
    }
    if (timeline.total > 0) $('playhead').style.left = `${Math.min(100, (100 * position) / timeline.total)}%`;
    for (const el of $('timeline').querySelectorAll('.mark')) {
      const isNow = !!now && el.dataset.availId === now.availId;
      el.classList.toggle('now', isNow);
      el.classList.toggle('played', !isNow && (el.classList.contains('point') ? seenEvents.get(el.dataset.availId)?.played === true : Number(el.dataset.end) <= position));
    }
    $('currentAd').innerHTML = now ? `<span class="ad">ad ${escapeHtml(now.availId ?? '?')} · ${escapeHtml(now.label)} (${now.how}) · ${Math.max(0, now.left).toFixed(1)} s left</span>` : `content ${fmt(position)}`;
    for (const row of $('breaks').rows) row.classList.toggle('now', !!now && row.dataset.availId === now.availId);
  }

  // Each start() is one generation: an older one still waiting on the network must not take over the player.
  let generation = 0;
  async function start() {
    const mine = ++generation;
    if (hls) hls.destroy();
    hls = undefined;
    for (const id of ['zone', 'mediaZone', 'origin', 'level', 'state', 'currentAd']) $(id).textContent = '—';
    live = $('content').value === 'live';
    mode = live ? 'stitched' : $('mode').value;
    $('mode').disabled = live;
    $('timeline').style.display = live ? 'none' : '';
    timeline = { total: 0, marks: [] };
    inCue = false;
    liveRanges = [];
    lastDetails = null;
    seenEvents.clear();
    drawTimeline();
    $('timelineNote').textContent = live ? 'live: a sliding window; the ads the zones stitch into the channel\'s SCTE-35 breaks are marked by DATERANGEs' : '—';
    const base = $('via').value;
    const body = live ? { channelId: config.channelId } : { assetId: config.assetId, mode };
    const created = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (mine !== generation) return;
    if (!created.ok) {
      $('state').innerHTML = `<span class="err">session: HTTP ${created.status}</span>`;
      return;
    }
    const session = await created.json();
    if (mine !== generation) return;
    const masterUrl = new URL(session.masterUrl, base).href;
    const claims = claimsOf(session.sessionId);
    $('masterUrl').textContent = masterUrl;
    $('session').textContent = `${session.sessionId.slice(0, 24)}… (mode ${claims ? (claims.m === 'i' ? 'interstitials' : 'stitched') : '?'}, viewer country ${claims?.g ?? '?'})`;
    loadBreaks(new URL(session.trackingUrl, base).href, mine);

    hls = new Hls({ enableWorker: true });
    hls.on(Hls.Events.MANIFEST_LOADED, (_e, d) => {
      const zone = header(d.networkDetails, 'x-meridian-zone');
      if (zone) $('zone').textContent = `${zone} (master)`;
    });
    const onPlaylist = (what) => (_e, d) => {
      const zone = header(d.networkDetails, 'x-meridian-zone');
      const attempts = header(d.networkDetails, 'x-meridian-zone-attempts');
      const origin = header(d.networkDetails, 'x-meridian-origin');
      if (zone) $('mediaZone').textContent = `${zone} (${what}${attempts ? `; edge tried ${attempts}` : ''}${origin ? `; origin ${origin}` : ''})`;
    };
    hls.on(Hls.Events.LEVEL_LOADED, (e, d) => {
      onPlaylist(`media playlist ${d.level}`)(e, d);
      if (d.details.live) liveRanges = Object.values(d.details.dateRanges ?? {}).filter((r) => r.class === AD_CLASS);
      if (!d.details.live && mode === 'stitched') {
        lastDetails = d.details;
        timeline = marksFromDateRanges(d.details);
        drawTimeline();
      }
    });
    hls.on(Hls.Events.AUDIO_TRACK_LOADED, onPlaylist('audio playlist'));
    const onFragment = (kind) => (_e, d) => {
      const origin = header(d.networkDetails, 'x-meridian-origin') ?? `${new URL(d.frag.url).host} (no x-meridian-origin)`;
      $('origin').textContent = `${origin} (${kind}${d.frag.sn})`;
    };
    hls.on(Hls.Events.FRAG_LOADED, onFragment('segment '));
    hls.on(Hls.Events.FRAG_CHANGED, (_e, d) => {
      const tags = (d.frag.tagList ?? []).map((t) => t.join(':'));
      if (tags.some((t) => /CUE-IN/.test(t))) inCue = false;
      if (tags.some((t) => /CUE-OUT(?!-CONT)/.test(t))) inCue = true;
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_e, d) => {
      const l = hls.levels[d.level];
      if (l) $('level').textContent = `${l.height}p @ ${Math.round(l.bitrate / 1000)} kb/s`;
    });
    if (Hls.Events.INTERSTITIALS_UPDATED) {
      hls.on(Hls.Events.INTERSTITIAL_ENDED, (_e, d) => {
        const seen = seenEvents.get(d.event.identifier);
        if (seen) seen.played = true;
      });
      hls.on(Hls.Events.INTERSTITIAL_ASSET_PLAYER_CREATED, (_e, d) => {
        if (d.player && d.player.hls) d.player.hls.on(Hls.Events.FRAG_LOADED, onFragment(`ad ${d.event.identifier} segment `));
      });
      hls.on(Hls.Events.INTERSTITIAL_ASSET_ERROR, (_e, d) => {
        $('state').innerHTML = `<span class="err">ad ${escapeHtml(d.event.identifier)}: ${escapeHtml(d.error?.message ?? 'asset error')}</span>`;
      });
    }
    hls.on(Hls.Events.ERROR, (_e, d) => {
      $('state').innerHTML = `<span class="${d.fatal ? 'err' : 'muted'}">${d.fatal ? 'fatal' : 'recovered'}: ${escapeHtml(d.details)}</span>`;
    });
    hls.loadSource(masterUrl);
    hls.attachMedia($('video'));
    $('video').play().catch(() => undefined);
  }

  async function loadBreaks(url, mine, refresh = false) {
    const table = $('breaks');
    if (!refresh) {
      avails = [];
      table.innerHTML = '<tr><td class="muted">loading…</td></tr>';
    }
    try {
      const res = await fetch(url);
      const json = await res.json();
      if (mine !== generation) return;
      avails = json.avails ?? [];
      table.innerHTML = '<tr><th>break</th><th>at</th><th>length</th><th>fill</th><th>ads</th></tr>';
      for (const a of avails) {
        const row = table.insertRow();
        row.dataset.availId = a.availId;
        row.className = 'ad';
        row.innerHTML = `<td>${escapeHtml(a.availId)}</td><td>${live ? `${new Date(a.startTimeInSeconds * 1000).toISOString().slice(11, 19)} UTC` : fmt(a.startTimeInSeconds)}</td><td>${a.durationInSeconds}s</td><td>${escapeHtml(a.fill ?? '—')}</td><td>${(a.ads ?? []).map((ad) => `${escapeHtml(ad.adId)} (${ad.durationInSeconds}s)`).join(', ') || '—'}</td>`;
      }
      if (avails.length === 0) table.innerHTML = `<tr><td class="muted">no ad breaks${live ? ' decided yet' : ''}</td></tr>`;
      // The playlist may have come first: name its ads' breaks now.
      if (lastDetails && mode === 'stitched') {
        timeline = marksFromDateRanges(lastDetails);
        drawTimeline();
      }
      table.insertRow().innerHTML = `<td colspan="5" class="muted">${live ? 'wall-clock starts, refreshed as breaks are decided' : 'content offsets'}; served by ${escapeHtml(res.headers.get('x-meridian-zone') ?? '?')}</td>`;
    } catch (e) {
      if (mine !== generation) return;
      table.innerHTML = `<tr><td class="err">tracking: ${escapeHtml(e.message)}</td></tr>`;
    }
    // Live breaks are decided as the channel reaches them: keep the table current.
    if (live && mine === generation) setTimeout(() => loadBreaks(url, mine, true), 4000);
  }

  // — Blackout: what a zone serves a viewer in the chosen country, read from the playlist it serves. —
  $('blackoutRules').innerHTML = config.blackoutRules
    ? `The zones apply <code>BLACKOUT_RULES=${escapeHtml(config.blackoutRules)}</code>: a viewer in a country the rules name gets slate segments over the window (VOD), other viewers the content — the counts below show what the zone served.`
    : 'No <code>BLACKOUT_RULES</code> were given to the zones, so every viewer gets the content, whatever the country. ' +
      'Start the demo with e.g. <code>BLACKOUT_RULES=\'{"rules":[{"id":"de","audience":{"countries":["DE"]},"trigger":{"kind":"mediaTime","startSeconds":6,"endSeconds":12},"replacementId":"slate"}]}\'</code> to black out a country.';
  let hls2;
  $('blackoutPlay').onclick = () => {
    if (hls2) hls2.destroy();
    const country = $('country').value;
    const zone = config.zones[0];
    $('blackoutState').textContent = `opening a session at ${zone.id} as a viewer in ${country}…`;
    $('blackoutSegments').textContent = '';
    // The zone trusts this header for the viewer's country (at the edge, request.cf decides);
    // only zone requests carry it, so segment requests stay simple (no CORS preflight).
    hls2 = new Hls({
      xhrSetup: (xhr, url) => {
        if (url.startsWith(zone.url)) xhr.setRequestHeader('CloudFront-Viewer-Country', country);
      },
    });
    let recorded = '?';
    hls2.on(Hls.Events.ERROR, (_e, d) => {
      if (d.fatal) $('blackoutState').textContent = `fatal: ${d.details}`;
    });
    hls2.on(Hls.Events.MANIFEST_LOADED, (_e, d) => {
      const token = header(d.networkDetails, 'x-meridian-session');
      recorded = (token && claimsOf(token)?.g) ?? '?';
      $('blackoutState').textContent = `playing as a viewer in ${country} through ${header(d.networkDetails, 'x-meridian-zone') ?? zone.id} (country in the session: ${recorded})`;
    });
    hls2.on(Hls.Events.LEVEL_LOADED, (_e, d) => {
      const counts = { content: 0, ad: 0, other: 0 };
      for (const f of d.details.fragments) {
        const path = new URL(f.url).pathname;
        if (path.startsWith(`/vod/${config.assetId}/`)) counts.content++;
        else if (path.startsWith('/vod/ad-')) counts.ad++;
        else counts.other++;
      }
      const verdict = counts.other > 0 ? `blacked out: ${counts.other} segments replaced (slate or alternate content)` : 'not blacked out: no segment replaced';
      $('blackoutSegments').textContent = `${verdict} — this viewer's playlist has ${counts.content} content, ${counts.ad} ad and ${counts.other} other segments`;
    });
    hls2.loadSource(`${zone.url}/v1/vod/${config.assetId}/master.m3u8`);
    hls2.attachMedia($('video2'));
    $('video2').play().catch(() => undefined);
  };

  setInterval(tick, 250);
  $('video').addEventListener('timeupdate', tick);
  $('restart').onclick = () => start();
  $('via').onchange = () => start();
  $('content').onchange = () => start();
  $('mode').onchange = () => start();
  start();
})();
