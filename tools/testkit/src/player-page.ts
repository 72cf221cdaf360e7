/** @module The player page Chromium opens: hls.js on a muted video element, instrumented for {@link playInChromium}. */

/** Builds the HTML page; `hlsScriptPath` is where the static server serves hls.min.js. */
export function playerPageHtml(hlsScriptPath: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>meridian testkit player</title></head>
<body style="margin:0;background:#000">
<script src="${hlsScriptPath}"></script>
<script>${PLAYER_SCRIPT}</script>
</body></html>`;
}

/**
 * The instrumentation, kept in plain browser JavaScript so no bundler is needed. It defines
 * window.__meridianStart(options) and window.__meridianReport(), and only observes: it never
 * recovers from errors on its own, so tests see what a viewer would.
 */
const PLAYER_SCRIPT = String.raw`
(function () {
  var r = {
    hlsVersion: (window.Hls && Hls.version) || null,
    supported: !!(window.Hls && Hls.isSupported()),
    state: 'idle',
    playedSeconds: 0,
    currentTime: 0,
    duration: null,
    ended: false,
    firstPlayAtMs: null,
    fatalErrors: [],
    nonFatalErrors: {},
    nonFatalErrorCount: 0,
    stallCount: 0,
    stalls: [],
    bufferStalledErrors: 0,
    levels: [],
    levelSwitches: 0,
    currentLevel: -1,
    fragments: [],
    interstitials: { supported: false, events: [], scheduleLength: 0, started: 0, ended: 0, assetsStarted: 0, assetsEnded: 0, assetErrors: 0, primaryResumed: 0, assetIds: [], timeline: [] },
    hlsLog: [],
    mediaError: null,
    log: []
  };
  window.__meridianReport = function () { return JSON.parse(JSON.stringify(r)); };
  window.__meridianStart = function (opts) {
    if (!r.supported) { r.state = 'unsupported'; return; }
    var E = Hls.Events;
    r.interstitials.supported = !!E.INTERSTITIALS_UPDATED;
    var video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true; video.controls = false;
    video.style.width = '100%';
    document.body.appendChild(video);
    var config = Object.assign({}, opts.hlsConfig || {});
    if (opts.hlsLogPattern) {
      // hls.js debug lines that match, newest 400 kept: what hls.js decided when a test fails.
      var pattern = new RegExp(opts.hlsLogPattern);
      var keep = function (level) {
        return function () {
          var line = level + ' ' + Array.prototype.map.call(arguments, String).join(' ');
          if (!pattern.test(line)) return;
          r.hlsLog.push((video.currentTime || 0).toFixed(2) + ' ' + line);
          if (r.hlsLog.length > 400) r.hlsLog.shift();
        };
      };
      config.debug = { debug: keep('debug'), log: keep('log'), info: keep('info'), warn: keep('warn'), error: keep('error') };
    }
    var hls = new Hls(config);
    window.__meridianHls = hls; window.__meridianVideo = video;
    var rate = opts.playbackRate || 1;
    var cap = Math.max(1, 2 * rate);
    var last = null;
    var seeked = opts.seekToSeconds == null;
    function sample() {
      var t = video.currentTime;
      if (last !== null && !video.paused && !video.seeking) {
        var d = t - last;
        if (d > 0 && d <= cap) r.playedSeconds += d;
      }
      last = t;
      r.currentTime = t;
      r.duration = isFinite(video.duration) ? video.duration : null;
    }
    setInterval(sample, 100);
    video.addEventListener('timeupdate', sample);
    video.addEventListener('seeking', function () { last = null; });
    video.addEventListener('seeked', function () { last = video.currentTime; });
    video.addEventListener('playing', function () {
      if (r.firstPlayAtMs === null) r.firstPlayAtMs = Date.now();
      r.state = 'playing';
      if (!seeked) { seeked = true; video.currentTime = opts.seekToSeconds; }
    });
    // Interstitial state. hls.js may raise INTERSTITIAL_STARTED again for a break it is already in (when
    // a playlist update replaces the schedule item), so breaks are counted by identifier, and "is an ad
    // playing" is asked of hls.js's interstitials manager (null without interstitials support: no ads).
    var startedIds = [], endedIds = [];
    function manager() {
      try { return hls.interstitialsManager || null; } catch (e) { return null; }
    }
    function interstitialPlaying() {
      var m = manager();
      return !!(m && m.playingItem && m.playingItem.event);
    }
    function postRollPending() {
      var m = manager();
      if (!m) return false;
      return (m.events || []).some(function (e) { return e.cue && e.cue.post && !e.hasPlayed && endedIds.indexOf(e.identifier) < 0; });
    }
    function markEnded() { r.ended = true; r.state = 'ended'; }
    // A stall: 'waiting' after the first play (not a seek) until the element plays again.
    var stall = null;
    function endStall() {
      if (stall === null) return;
      stall.ms = Date.now() - stall.sinceMs; delete stall.sinceMs;
      stall = null;
    }
    video.addEventListener('waiting', function () {
      if (r.firstPlayAtMs === null || video.seeking) return;
      r.stallCount++;
      if (stall !== null) return;
      stall = { atSeconds: video.currentTime, inInterstitial: interstitialPlaying(), interstitialsStarted: r.interstitials.started, ms: null, sinceMs: Date.now() };
      r.stalls.push(stall);
    });
    video.addEventListener('playing', endStall);
    video.addEventListener('ended', function () {
      sample();
      // An interstitial asset playing in this element ends too; only the primary's end is the end,
      // and with a post-roll still to come, the end of that post-roll.
      if (interstitialPlaying()) { r.log.push('asset ended at ' + video.currentTime); return; }
      if (postRollPending()) { r.log.push('primary ended at ' + video.currentTime + ', post-roll pending'); return; }
      markEnded();
    });
    video.addEventListener('error', function () { r.mediaError = video.error ? { code: video.error.code, message: video.error.message } : { code: 0, message: 'unknown' }; });
    video.addEventListener('loadedmetadata', function () { video.playbackRate = rate; });
    video.addEventListener('ratechange', function () { if (video.playbackRate !== rate) video.playbackRate = rate; });

    function fragRecord(d, assetId) {
      var f = d.frag || {};
      var rec = { url: f.url || (f.baseurl || ''), sn: f.sn, cc: f.cc, level: f.level, type: f.type, startSeconds: f.start, durationSeconds: f.duration, atMs: Date.now() };
      if (assetId) rec.assetId = assetId;
      if (f.programDateTime) rec.programDateTimeMs = f.programDateTime;
      r.fragments.push(rec);
    }
    function onError(d, assetId) {
      var reason = d.reason || (d.error && d.error.message) || '';
      var url = (d.frag && d.frag.url) || (d.context && d.context.url) || (d.url) || '';
      if (d.fatal) {
        r.fatalErrors.push({ type: d.type, details: d.details, reason: reason, url: url, assetId: assetId || null, atMs: Date.now() });
        // An interstitial asset player's fatal error ends that ad, not the primary playback.
        if (!assetId) r.state = 'fatal';
      } else {
        r.nonFatalErrorCount++;
        r.nonFatalErrors[d.details] = (r.nonFatalErrors[d.details] || 0) + 1;
        if (d.details === 'bufferStalledError') r.bufferStalledErrors++;
      }
    }
    hls.on(E.ERROR, function (_, d) { onError(d); });
    hls.on(E.FRAG_LOADED, function (_, d) { fragRecord(d); });
    hls.on(E.MANIFEST_PARSED, function (_, d) {
      r.levels = (d.levels || []).map(function (l) { return { bitrateBps: l.bitrate, width: l.width, height: l.height, url: (l.url && l.url[0]) || l.uri || '' }; });
      r.state = 'parsed';
      var p = video.play(); if (p && p.catch) p.catch(function (e) { r.log.push('play() rejected: ' + e.message); });
    });
    hls.on(E.LEVEL_SWITCHED, function (_, d) { r.levelSwitches++; r.currentLevel = d.level; });
    if (E.INTERSTITIALS_UPDATED) {
      hls.on(E.INTERSTITIALS_UPDATED, function (_, d) {
        r.interstitials.scheduleLength = (d.schedule || []).length;
        (d.events || []).forEach(function (ev) {
          if (r.interstitials.events.some(function (x) { return x.id === ev.identifier; })) return;
          r.interstitials.events.push({ id: ev.identifier, startSeconds: ev.startTime, durationSeconds: ev.duration, assetCount: (ev.assetList || []).length, assetListUrl: ev.assetListUrl ? String(ev.assetListUrl) : null });
        });
      });
      function mark(what, d) {
        var id = d && d.event ? d.event.identifier : d && d.asset ? d.asset.identifier : '';
        r.interstitials.timeline.push(what + (id ? ' ' + id : '') + ' @' + video.currentTime.toFixed(2));
      }
      hls.on(E.INTERSTITIAL_STARTED, function (_, d) {
        var id = d.event.identifier;
        if (startedIds.indexOf(id) < 0) startedIds.push(id);
        r.interstitials.started = startedIds.length;
        mark('started', d);
      });
      hls.on(E.INTERSTITIAL_ENDED, function (_, d) {
        var id = d.event.identifier;
        if (endedIds.indexOf(id) < 0) endedIds.push(id);
        r.interstitials.ended = endedIds.length;
        mark('ended', d);
        // hls.js moves to a post-roll at the primary's end (the element may never fire 'ended' for it):
        // the playback ends with the last post-roll.
        if (d.event.cue && d.event.cue.post && !postRollPending()) markEnded();
      });
      hls.on(E.INTERSTITIAL_ASSET_STARTED, function (_, d) { r.interstitials.assetsStarted++; if (d.asset) r.interstitials.assetIds.push(d.asset.identifier); mark('asset-started', d); });
      hls.on(E.INTERSTITIAL_ASSET_ENDED, function (_, d) { r.interstitials.assetsEnded++; mark('asset-ended', d); });
      hls.on(E.INTERSTITIAL_ASSET_ERROR, function (_, d) { r.interstitials.assetErrors++; r.log.push('asset error: ' + (d.error && d.error.message)); mark('asset-error', d); });
      hls.on(E.INTERSTITIALS_PRIMARY_RESUMED, function () { r.interstitials.primaryResumed++; mark('primary-resumed'); });
      hls.on(E.INTERSTITIAL_ASSET_PLAYER_CREATED, function (_, d) {
        var id = d.asset ? d.asset.identifier : 'asset';
        var child = d.player && d.player.hls;
        if (!child) return;
        child.on(E.FRAG_LOADED, function (__, fd) { fragRecord(fd, id); });
        child.on(E.ERROR, function (__, ed) { onError(ed, id); });
      });
    }
    r.state = 'loading';
    hls.attachMedia(video);
    hls.loadSource(opts.src);
  };
  window.__meridianStop = function () {
    if (window.__meridianVideo) window.__meridianVideo.pause();
    if (window.__meridianHls) window.__meridianHls.stopLoad();
  };
})();
`;
