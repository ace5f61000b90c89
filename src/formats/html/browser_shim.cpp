#include "formats/html/browser_shim.hpp"

namespace sluice::formats::html {

// Only what smuggling pages touch (seen in public kits: EnvyScout, Qakbot and
// IcedID HTML/SVG attachments, the "HTML smuggling" demos they copy) and enough
// DOM that a page's decoy code does not throw before the download. Anything
// else is undefined, as in an old browser; an error ends that script only.
const std::string_view kBrowserShim = R"js(
(function (g) {
  var save = g.__sluice_save, saveBinary = g.__sluice_save_binary,
      navigate = g.__sluice_navigate, write = g.__sluice_write, known = {},
      due = g.__sluice_due, waitUntil = g.__sluice_wait_until;
  // The page's elements by id, given once before the page's code runs (the
  // browser is loaded before the page is known; the runtime removes this).
  g.__sluice_bind = function (elements) { known = elements || {}; };
  var blobs = {}, blobCount = 0, timers = [], timerCount = 0, loadHandlers = [];

  function Blob(parts, options) {
    if (!(this instanceof Blob)) return new Blob(parts, options);
    this._parts = parts ? Array.prototype.slice.call(parts) : [];
    this.type = options && options.type ? String(options.type) : '';
    var size = 0;
    for (var i = 0; i < this._parts.length; i++) {
      var p = this._parts[i];
      size += p instanceof Blob ? p.size : (p && p.byteLength !== undefined ? p.byteLength : String(p).length);
    }
    this.size = size;
  }
  Blob.prototype.slice = function () { return this; };
  function File(parts, name, options) {
    var b = new Blob(parts, options);
    b.name = String(name);
    return b;
  }
  File.prototype = Blob.prototype;
  function flatten(blob, out) {
    for (var i = 0; i < blob._parts.length; i++) {
      var p = blob._parts[i];
      if (p instanceof Blob) flatten(p, out);
      else if (p !== null && typeof p === 'object' && p.byteLength !== undefined) out.push(p);
      else out.push(String(p));
    }
    return out;
  }
  function saveBlob(name, blob, how) {
    if (!name && blob.name) name = blob.name;
    save(String(name || ''), how, blob.type, flatten(blob, []));
  }
  function openUrl(url, name, how) {
    if (url instanceof Blob) return saveBlob(name, url, how);
    url = String(url);
    if (blobs.hasOwnProperty(url)) return saveBlob(name, blobs[url], how);
    var m = /^\s*data:([^,]*),/i.exec(url);
    if (m) {
      var header = m[1], body = url.slice(m[0].length), type = header.split(';')[0];
      var binary = /;\s*base64\s*$/i.test(header) ? g.atob(decodeURIComponent(body)) : unescape(body);
      return saveBinary(String(name || ''), how, type, binary);
    }
    navigate(url, how);
  }

  var URLs = g.URL || function URL(u) { this.href = String(u); };
  URLs.createObjectURL = function (blob) {
    var u = 'blob:null/' + (++blobCount);
    blobs[u] = blob;
    return u;
  };
  URLs.revokeObjectURL = function () {};

  function Element(tag) {
    this.tagName = this.nodeName = String(tag || 'div').toUpperCase();
    this.style = {};
    this.dataset = {};
    this.children = this.childNodes = [];
    this._attrs = {};
    this._events = {};
    this.innerHTML = this.innerText = this.textContent = this.value = '';
    this.href = this.download = this.src = this.id = this.className = '';
  }
  Element.prototype.setAttribute = function (k, v) {
    k = String(k).toLowerCase();
    this._attrs[k] = String(v);
    if (k === 'href' || k === 'download' || k === 'src' || k === 'id' || k === 'value') this[k] = String(v);
    if (k === 'xlink:href') this.href = String(v);
  };
  Element.prototype.getAttribute = function (k) {
    k = String(k).toLowerCase();
    return this._attrs.hasOwnProperty(k) ? this._attrs[k] : (this[k] !== undefined && this[k] !== '' ? this[k] : null);
  };
  Element.prototype.removeAttribute = function (k) { delete this._attrs[String(k).toLowerCase()]; };
  Element.prototype.hasAttribute = function (k) { return this.getAttribute(k) !== null; };
  Element.prototype.setAttributeNS = function (ns, k, v) { this.setAttribute(k, v); };
  Element.prototype.getAttributeNS = function (ns, k) { return this.getAttribute(k); };
  Element.prototype.appendChild = function (c) { this.children.push(c); if (c) c.parentNode = this; return c; };
  Element.prototype.append = function () { for (var i = 0; i < arguments.length; i++) this.appendChild(arguments[i]); };
  Element.prototype.insertBefore = Element.prototype.appendChild;
  Element.prototype.prepend = Element.prototype.append;
  Element.prototype.removeChild = function (c) { return c; };
  Element.prototype.remove = function () {};
  Element.prototype.replaceChild = function (c) { return c; };
  Element.prototype.cloneNode = function () { return this; };
  Element.prototype.focus = Element.prototype.blur = function () {};
  Element.prototype.getElementsByTagName = function () { return []; };
  Element.prototype.querySelector = function () { return new Element('div'); };
  Element.prototype.querySelectorAll = function () { return []; };
  Element.prototype.addEventListener = function (type, fn) {
    (this._events[type] = this._events[type] || []).push(fn);
  };
  Element.prototype.removeEventListener = function () {};
  Element.prototype.dispatchEvent = function (e) {
    if (e && e.type === 'click') this.click();
    return true;
  };
  Element.prototype.click = function () {
    var handlers = this._events.click || [];
    for (var i = 0; i < handlers.length; i++) handlers[i].call(this, { type: 'click', preventDefault: function () {} });
    if (typeof this.onclick === 'function') this.onclick({ type: 'click', preventDefault: function () {} });
    var href = this.href || this._attrs.href || this._attrs['xlink:href'];
    if (this.tagName === 'A' && href) {
      var name = this.download || this._attrs.download || '';
      openUrl(href, name, name ? 'anchor download' : 'navigation');
    }
  };

  var byId = {};
  function lookup(id) {
    id = String(id);
    if (byId.hasOwnProperty(id)) return byId[id];
    var e = new Element(known.hasOwnProperty(id) ? known[id].tag : 'div');
    e.id = id;
    if (known.hasOwnProperty(id)) {
      var k = known[id];
      e.innerHTML = e.innerText = e.textContent = e.value = k.inner;
      for (var a in k.attrs) if (k.attrs.hasOwnProperty(a)) e.setAttribute(a, k.attrs[a]);
    }
    byId[id] = e;
    return e;
  }

  var document = new Element('#document');
  document.documentElement = new Element('html');
  document.head = new Element('head');
  document.body = new Element('body');
  document.readyState = 'complete';
  document.cookie = '';
  document.referrer = '';
  document.title = '';
  document.createElement = function (t) { return new Element(t); };
  document.createElementNS = function (ns, t) { return new Element(t); };
  document.createTextNode = function (t) { var e = new Element('#text'); e.textContent = String(t); return e; };
  document.createEvent = function () {
    return { initEvent: function (t) { this.type = t; }, initMouseEvent: function (t) { this.type = t; } };
  };
  document.getElementById = lookup;
  document.getElementsByTagName = function (t) { return [t === 'body' ? document.body : new Element(t)]; };
  document.getElementsByClassName = function () { return []; };
  document.querySelector = function (q) {
    q = String(q);
    return q.charAt(0) === '#' ? lookup(q.slice(1)) : (q === 'body' ? document.body : new Element('div'));
  };
  document.querySelectorAll = function () { return []; };
  document.write = document.writeln = function () {
    for (var i = 0; i < arguments.length; i++) write(String(arguments[i]));
  };
  document.open = document.close = function () {};
  document.addEventListener = function (type, fn) {
    if (type === 'DOMContentLoaded' || type === 'load' || type === 'readystatechange') loadHandlers.push(fn);
  };
  document.removeEventListener = function () {};

  var location = { hostname: 'localhost', host: 'localhost', protocol: 'file:', pathname: '/', search: '', hash: '',
                   origin: 'null', reload: function () {}, toString: function () { return 'about:blank'; } };
  Object.defineProperty(location, 'href', {
    get: function () { return 'about:blank'; },
    set: function (u) { openUrl(u, '', 'navigation'); } });
  location.assign = location.replace = function (u) { openUrl(u, '', 'navigation'); };
  function defineLocation(o) {
    Object.defineProperty(o, 'location', {
      get: function () { return location; },
      set: function (u) { openUrl(u, '', 'navigation'); }, configurable: true });
  }
  defineLocation(g);
  defineLocation(document);

  var navigator = {
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    appName: 'Netscape', platform: 'Win32', language: 'en-US', languages: ['en-US'], cookieEnabled: true,
    msSaveOrOpenBlob: function (blob, name) { saveBlob(name, blob, 'msSaveOrOpenBlob'); return true; },
    msSaveBlob: function (blob, name) { saveBlob(name, blob, 'msSaveBlob'); return true; } };

  g.window = g.self = g.top = g.parent = g.globalThis = g;
  g.document = document;
  g.navigator = navigator;
  g.Blob = Blob;
  g.File = File;
  g.URL = g.webkitURL = URLs;
  g.HTMLElement = g.Element = Element;
  g.MouseEvent = g.Event = g.CustomEvent = function (type) { this.type = String(type); };
  g.Image = g.Audio = function () { return new Element('img'); };
  g.open = function (u) { if (u) openUrl(u, '', 'window.open'); return g; };
  // Pending timers, a binary heap on (due, id): a browser runs the timer due
  // first, and of two due at once the one set first.
  function before(a, b) { return a.due < b.due || (a.due === b.due && a.id < b.id); }
  function swap(i, j) { var x = timers[i]; timers[i] = timers[j]; timers[j] = x; }
  function pushTimer(t) {
    var i = timers.length;
    timers.push(t);
    while (i > 0 && before(timers[i], timers[(i - 1) >> 1])) { swap(i, (i - 1) >> 1); i = (i - 1) >> 1; }
  }
  function popTimer() {
    var top = timers[0], last = timers.pop();
    if (timers.length === 0) return top;
    timers[0] = last;
    for (var i = 0, n = timers.length;;) {
      var l = 2 * i + 1, m = i;
      if (l < n && before(timers[l], timers[m])) m = l;
      if (l + 1 < n && before(timers[l + 1], timers[m])) m = l + 1;
      if (m === i) return top;
      swap(i, m);
      i = m;
    }
  }
  // A timer is due its delay after it was set (the page's clock, ADR 0043);
  // delays a browser would not honour (negative, not a number, past 2^31-1 ms)
  // are none.
  g.setTimeout = g.setInterval = g.setImmediate = g.requestAnimationFrame = function (fn, delay) {
    if (typeof fn === 'string') { var code = fn; fn = function () { (0, eval)(code); }; }
    var args = Array.prototype.slice.call(arguments, 2);
    var ms = Number(delay);
    if (!(ms > 0 && ms <= 2147483647)) ms = 0;
    pushTimer({ fn: fn, args: args, id: ++timerCount, due: due(ms) });
    return timerCount;
  };
  g.clearTimeout = g.clearInterval = g.cancelAnimationFrame = function (id) {
    for (var i = 0; i < timers.length; i++) if (timers[i].id === id) timers[i].fn = null;
  };
  g.addEventListener = function (type, fn) { if (type === 'load' || type === 'DOMContentLoaded') loadHandlers.push(fn); };
  g.removeEventListener = function () {};
  g.alert = g.confirm = g.prompt = g.focus = g.blur = g.close = g.print = g.scrollTo = function () { return true; };
  g.console = { log: function () {}, error: function () {}, warn: function () {}, info: function () {}, debug: function () {} };
  g.localStorage = g.sessionStorage = { getItem: function () { return null; }, setItem: function () {}, removeItem: function () {} };
  g.XMLHttpRequest = function () {
    this.open = this.send = this.setRequestHeader = this.abort = function () {};
    this.readyState = 0; this.status = 0;
  };
  g.fetch = undefined;
  g.screen = { width: 1920, height: 1080 };
  g.innerWidth = 1920; g.innerHeight = 1080;

  // Run after the page's scripts: load handlers, then timers as they fall
  // due, each once (an interval runs once), with the clock moved on to its
  // due time; at most `limit` calls.
  g.__sluice_after = function (limit) {
    var calls = 0;
    var load = loadHandlers.slice();
    loadHandlers = [];
    if (typeof g.onload === 'function') load.push(g.onload);
    if (typeof document.body.onload === 'function') load.push(document.body.onload);
    for (var i = 0; i < load.length && calls < limit; i++, calls++) {
      try { load[i].call(g, { type: 'load' }); } catch (e) {}
    }
    while (timers.length > 0 && calls < limit) {
      var t = popTimer();
      calls++;
      if (typeof t.fn === 'function') { waitUntil(t.due); try { t.fn.apply(g, t.args); } catch (e) {} }
    }
    return calls;
  };
})(this);
)js";

}  // namespace sluice::formats::html
