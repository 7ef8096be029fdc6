// orderdesk dashboard: live updates over /api/v1/events, toasts, sound,
// notifications, and fetch() for the order window's forms. Plain script,
// no build step. Customer text only ever goes into the page through
// textContent (or as server-escaped HTML parsed with DOMParser), never
// through innerHTML of event data.
(function () {
  'use strict';

  var body = document.body;
  var page = body.getAttribute('data-page');
  // Phones hide the header's menu behind a button only when this script runs.
  document.documentElement.classList.add('js');
  // Packing slips (a page without the dashboard's header) print from a button.
  var printSlips = document.getElementById('print-slips');
  // A4 is the page's own size; 4x6 in labels switches the slips to the
  // `label` page size (and the smaller type) before the dialog opens.
  var printLabel = document.getElementById('print-label');
  if (printSlips) {
    printSlips.addEventListener('click', function () { body.classList.remove('paper-label'); window.print(); });
  }
  if (printLabel) {
    printLabel.addEventListener('click', function () { body.classList.add('paper-label'); window.print(); });
  }
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute('content') : '';
  if (!csrf) { return; }

  // A dashboard POST the way the server's forms take it (the CSRF token in
  // a header); resolves to { ok, body } with the JSON answer ({} if none).
  function postForm(url, fields) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
        'x-csrf-token': csrf
      },
      body: new URLSearchParams(fields).toString()
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, body: j }; },
        function () { return { ok: r.ok, body: {} }; });
    });
  }

  var LABELS = {
    placed: 'Placed', confirmed: 'Confirmed', approved: 'Approved', processed: 'Processed',
    shipped: 'Shipped', delivered: 'Delivered', on_hold: 'On hold', rejected: 'Rejected',
    cancelled: 'Cancelled', returned: 'Returned', abandoned: 'Abandoned', archived: 'Archived'
  };
  var KINDS = ['order.created', 'order.updated', 'order.status_changed', 'payment.updated',
    'message.received', 'message.sent', 'message.status', 'conversation.updated'];

  // ---- phones: the header's menu and the order window's Order / Chat tabs -----------------
  var menuToggle = document.getElementById('menu-toggle');
  var menu = document.getElementById('menu');
  if (menuToggle && menu) {
    menuToggle.addEventListener('click', function () {
      var open = menu.classList.toggle('open');
      menuToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    });
  }
  var tabbed = document.querySelector('main.order');
  var tabs = document.querySelectorAll('.order-tabs [role="tab"]');
  function showTab(name) {
    if (!tabbed) { return; }
    tabbed.setAttribute('data-tab', name);
    tabs.forEach(function (t) {
      t.setAttribute('aria-selected', t.getAttribute('data-tab') === name ? 'true' : 'false');
    });
    if (name === 'chat') {
      var t = document.querySelector('.timeline');
      if (t) { t.scrollTop = t.scrollHeight; }
    }
  }
  tabs.forEach(function (t) {
    t.addEventListener('click', function () { showTab(t.getAttribute('data-tab')); });
  });
  showTab(window.location.hash === '#chat' ? 'chat' : 'order');

  // ---- sound (WebAudio beep; the choice is remembered) ------------------------
  var muted = false;
  try { muted = window.localStorage.getItem('orderdesk.muted') === '1'; } catch (e) { /* private mode */ }
  var muteButton = document.getElementById('mute');
  function renderMute() {
    if (!muteButton) { return; }
    muteButton.textContent = muted ? 'Sound off' : 'Sound on';
    muteButton.setAttribute('aria-pressed', muted ? 'true' : 'false');
  }
  if (muteButton) {
    renderMute();
    muteButton.addEventListener('click', function () {
      muted = !muted;
      try { window.localStorage.setItem('orderdesk.muted', muted ? '1' : '0'); } catch (e) { /* ignore */ }
      renderMute();
      if (!muted) { unlockAudio(); beep(); }
    });
  }
  var audio = null;
  function unlockAudio() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) { try { audio = new Ctx(); } catch (e) { audio = null; } }
    if (audio && audio.state === 'suspended') { audio.resume(); }
  }
  document.addEventListener('pointerdown', unlockAudio, { once: true });
  document.addEventListener('keydown', unlockAudio, { once: true });
  function beep() {
    if (muted || !audio) { return; }
    try {
      var t = audio.currentTime;
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(880, t);
      osc.frequency.setValueAtTime(1320, t + 0.12);
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.35);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.4);
    } catch (e) { /* no sound then */ }
  }

  // ---- browser notifications ---------------------------------------------------
  var notifyButton = document.getElementById('notify');
  if (notifyButton && 'Notification' in window && Notification.permission === 'default') {
    notifyButton.hidden = false;
    notifyButton.addEventListener('click', function () {
      Notification.requestPermission().then(function () { notifyButton.hidden = true; });
    });
  }
  // Phones (Android Chrome) refuse `new Notification()`: only a service
  // worker's registration may show one, so one is registered for that alone
  // (scope /assets/: it controls no page). Where notifications are not
  // permitted, or fail, a banner stays at the top of the page until it is
  // dismissed, the tab's title counts the news, and a phone vibrates.
  var worker = null;
  if ('serviceWorker' in navigator && window.isSecureContext) {
    worker = navigator.serviceWorker.register('/assets/sw.js', { scope: '/assets/' })
      .catch(function () { return null; });
  }
  var baseTitle = document.title;
  var unseen = 0;
  function banner(title, text, url) {
    var box = document.getElementById('alert-banner');
    if (!box) {
      box = document.createElement('div');
      box.id = 'alert-banner';
      box.className = 'alert-banner';
      box.setAttribute('role', 'alert');
      var link = document.createElement('a');
      link.className = 'alert-link';
      var close = document.createElement('button');
      close.type = 'button';
      close.className = 'ghost';
      close.textContent = 'Dismiss';
      close.addEventListener('click', function () {
        box.remove();
        unseen = 0;
        document.title = baseTitle;
      });
      box.appendChild(link);
      box.appendChild(close);
      var main = document.getElementById('main');
      main.parentNode.insertBefore(box, main);
    }
    unseen += 1;
    var a = box.querySelector('a');
    a.setAttribute('href', url);
    a.textContent = (unseen > 1 ? unseen + ' new · latest: ' : '') + title + (text ? ' — ' + text : '');
    document.title = '(' + unseen + ') ' + baseTitle;
    if (navigator.vibrate) { try { navigator.vibrate(200); } catch (e) { /* not allowed */ } }
  }
  function systemNotification(title, text, url) {
    var options = { body: text, tag: url, data: { url: url }, icon: '/assets/icon-192.png' };
    if (worker) {
      return worker.then(function (reg) {
        if (!reg) { throw new Error('no service worker'); }
        return reg.showNotification(title, options);
      });
    }
    return new Promise(function (resolve) {
      var n = new Notification(title, options);
      n.onclick = function () { window.focus(); window.location.assign(url); };
      resolve();
    });
  }
  function notify(title, text, url) {
    var permitted = 'Notification' in window && Notification.permission === 'granted';
    if (!permitted) { banner(title, text, url); return; }
    try {
      systemNotification(title, text, url).catch(function () { banner(title, text, url); });
    } catch (e) { banner(title, text, url); }
  }

  // ---- toasts --------------------------------------------------------------------
  // `keep`: the caller removes it (a grouped toast that is still counting).
  function toast(text, href, keep) {
    var box = document.getElementById('toasts');
    if (!box) { return null; }
    var t = document.createElement(href ? 'a' : 'div');
    t.className = 'toast';
    if (href) { t.setAttribute('href', href); }
    t.textContent = text;
    box.appendChild(t);
    if (!keep) { window.setTimeout(function () { t.remove(); }, 8000); }
    return t;
  }
  // New orders share one toast: a second one while the first still shows
  // turns it into "2 new orders" (one sound, one notification), so a busy
  // minute never stacks toasts over the cards.
  var orderToast = null;
  var orderToastCount = 0;
  var orderToastTimer = null;
  function toastOrder(o) {
    var text = nameOf(o) + ' · ' + money(o.total_minor, o.currency);
    if (orderToast && orderToast.isConnected) {
      orderToastCount += 1;
      orderToast.textContent = orderToastCount + ' new orders';
      orderToast.setAttribute('href', '/orders');
      orderToast.classList.add('toast-group');
      notify(orderToastCount + ' new orders', 'Latest: #' + o.number + ' — ' + text, '/orders');
    } else {
      orderToastCount = 1;
      orderToast = toast('New order #' + o.number + ' — ' + text, '/orders/' + o.number, true);
      beep();
      notify('New order #' + o.number, text, '/orders/' + o.number);
    }
    window.clearTimeout(orderToastTimer);
    orderToastTimer = window.setTimeout(function () {
      if (orderToast) { orderToast.remove(); }
      orderToast = null;
    }, 8000);
  }

  // ---- drawing a card (mirrors views::card) -------------------------------------
  function exponent(currency) {
    try {
      return new Intl.NumberFormat('en', { style: 'currency', currency: currency })
        .resolvedOptions().maximumFractionDigits;
    } catch (e) { return 2; }
  }
  // Amounts the way the business's locale writes them (the board carries
  // it); the server's formatter does the same for server-drawn cards.
  var localeHolder = document.querySelector('[data-locale]');
  var locale = localeHolder ? localeHolder.getAttribute('data-locale') : null;
  function money(minor, currency) {
    var e = exponent(currency);
    if (locale && window.Intl) {
      try {
        return new Intl.NumberFormat(locale, {
          style: 'currency', currency: currency, currencyDisplay: 'narrowSymbol',
          minimumFractionDigits: e, maximumFractionDigits: e
        }).format(minor / Math.pow(10, e));
      } catch (err) { /* an unknown currency: the plain form below */ }
    }
    var sign = minor < 0 ? '-' : '';
    var abs = Math.abs(minor);
    if (e === 0) { return sign + abs + ' ' + currency; }
    var div = Math.pow(10, e);
    var frac = String(abs % div);
    while (frac.length < e) { frac = '0' + frac; }
    return sign + Math.floor(abs / div) + '.' + frac + ' ' + currency;
  }
  // Mirrors orderdesk_domain::PaymentIndicator::of.
  function paymentOf(o) {
    var s = o.payment_status;
    var neverPaid = s === 'pending' || s === 'failed' || s === 'expired';
    var ended = o.status === 'cancelled' || o.status === 'rejected' || o.status === 'abandoned';
    if (neverPaid && ended) { return ['pay-not-paid', 'Not paid', '']; }
    if (s === 'paid') { return ['pay-paid', 'Paid', '✓']; }
    if (s === 'failed' || s === 'expired') { return ['pay-failed', 'Payment failed', '✕']; }
    if (s === 'partially_refunded') { return ['pay-partly-refunded', 'Partially refunded', '↺']; }
    if (s === 'refunded') { return ['pay-refunded', 'Refunded', '↺']; }
    if (o.payment_method === 'cod') { return ['pay-cod', 'Cash on delivery', 'COD']; }
    return ['pay-pending', 'Payment pending', ''];
  }
  function ageOf(iso) {
    var secs = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
    if (secs < 60) { return 'just now'; }
    if (secs < 3600) { return Math.floor(secs / 60) + ' min ago'; }
    if (secs < 86400) { return Math.floor(secs / 3600) + ' h ago'; }
    return Math.floor(secs / 86400) + ' d ago';
  }
  function nameOf(o) {
    var c = o.customer || {};
    if (c.name && c.name.trim()) { return c.name; }
    if (c.wa_id) { return '+' + c.wa_id; }
    return 'Unknown customer';
  }
  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function card(o) {
    var li = el('li', 'card');
    li.id = 'order-' + o.number;
    li.setAttribute('data-number', String(o.number));
    li.setAttribute('data-status', o.status);
    li.setAttribute('data-payment', o.payment_status);
    var a = el('a', 'card-link');
    a.setAttribute('href', '/orders/' + o.number);
    var top = el('div', 'card-top');
    top.appendChild(el('span', 'num', '#' + o.number));
    var p = paymentOf(o);
    var pay = el('span', 'pay ' + p[0], p[2]);
    pay.setAttribute('role', 'img');
    pay.setAttribute('aria-label', p[1]);
    pay.setAttribute('title', p[1]);
    top.appendChild(pay);
    top.appendChild(el('span', 'stage stage-' + o.status, LABELS[o.status] || o.status));
    a.appendChild(top);
    a.appendChild(el('div', 'cust', nameOf(o)));
    a.appendChild(el('div', 'items', (o.items || []).map(function (i) {
      return i.quantity + ' × ' + i.name;
    }).join(', ')));
    if (o.address) {
      var place = [o.address.city, o.address.postal_code].filter(function (s) { return s; }).join(' ');
      a.appendChild(el('div', 'addr', 'Deliver to ' + place));
    }
    if (o.note) { a.appendChild(el('div', 'note', '✎ ' + o.note)); }
    var bottom = el('div', 'card-bottom');
    bottom.appendChild(el('span', 'total', money(o.total_minor, o.currency)));
    var time = el('time', 'age', ageOf(o.created_at));
    time.setAttribute('datetime', o.created_at);
    bottom.appendChild(time);
    a.appendChild(bottom);
    li.appendChild(a);
    markUnread(li, unreadOrders[o.number]);
    return li;
  }
  // Board cards whose customer wrote and nobody answered (from
  // /inbox/unread.json, then conversation.updated events).
  var unreadOrders = {};
  function markUnread(li, on) {
    var badge = li.querySelector('.card-unread');
    li.classList.toggle('has-unread', !!on);
    if (on && !badge) {
      badge = el('a', 'card-unread', 'Unread');
      badge.setAttribute('href', '/inbox?c=' + encodeURIComponent(on));
      badge.setAttribute('title', 'The customer wrote and nobody answered');
      li.appendChild(badge);
    } else if (!on && badge) {
      badge.remove();
    }
  }
  function highlight(node) {
    node.classList.add('fresh');
    window.setTimeout(function () { node.classList.remove('fresh'); }, 4000);
  }

  // ---- the board ---------------------------------------------------------------------
  var board = document.querySelector('main.board');
  var ownOnly = board ? board.getAttribute('data-own-only') : null;
  var cards = document.getElementById('cards');
  function fitsBoard(o) {
    if (!board) { return false; }
    if (board.getAttribute('data-filtered') || /[?&]cursor=/.test(window.location.search)) { return false; }
    var s = board.getAttribute('data-status');
    var p = board.getAttribute('data-payment');
    return (!s || s === o.status) && (!p || p === o.payment_status);
  }
  var countsTimer = null;
  function refreshCounts() {
    if (!board) { return; }
    window.clearTimeout(countsTimer);
    countsTimer = window.setTimeout(function () {
      fetch('/orders/counts.json' + window.location.search, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (counts) {
          if (!counts) { return; }
          // Not exact: a search found more than it counted ("1000+"), and
          // a stage none of the counted orders is in shows no number.
          var inexact = counts.exact === false;
          Object.keys(counts).forEach(function (k) {
            var c = document.querySelector('[data-count="' + k + '"]');
            if (!c) { return; }
            c.textContent = !inexact ? String(counts[k]) : counts[k] ? counts[k] + '+' : '';
          });
        })
        .catch(function () { /* next event tries again */ });
    }, 250);
  }
  // New orders wait in the "3 new orders — show" bar while the board has
  // cards, so nothing moves under the merchant's pointer; an empty board
  // shows them at once (nothing to move).
  var held = [];
  var newBar = document.getElementById('new-orders');
  function renderBar() {
    if (!newBar) { return; }
    newBar.hidden = held.length === 0;
    newBar.setAttribute('data-held', String(held.length));
    newBar.textContent = (held.length === 1 ? '1 new order' : held.length + ' new orders') + ' — show';
  }
  function addCard(o) {
    var added = card(o);
    cards.insertBefore(added, cards.firstChild);
    highlight(added);
    var empty = document.getElementById('empty');
    if (empty) { empty.remove(); }
  }
  var rows = document.getElementById('rows');
  // An order assigned away from an agent who sees only their own.
  function dropOrder(o) {
    ['order-', 'row-'].forEach(function (prefix) {
      var node = document.getElementById(prefix + o.number);
      if (node) { node.remove(); }
    });
    held = held.filter(function (h) { return h.number !== o.number; });
    renderBar();
    refreshCounts();
    toast('Order #' + o.number + (o.assignee ? ' is now assigned to ' + o.assignee : ' was unassigned') +
      ' and left your board.', null);
  }
  function showHeld() {
    // The table is drawn by the server (sorting, columns): it reloads.
    if (rows) { window.location.reload(); return; }
    var shown = held;
    held = [];
    shown.forEach(function (o) {
      if (!document.getElementById('order-' + o.number)) { addCard(o); }
    });
    renderBar();
    if (cards && cards.getBoundingClientRect().top < 0) { cards.scrollIntoView({ block: 'start' }); }
  }
  if (newBar) { newBar.addEventListener('click', showHeld); }
  function onBoardOrder(kind, o) {
    var existing = document.getElementById('order-' + o.number);
    var waiting = held.findIndex(function (h) { return h.number === o.number; });
    if (existing) {
      var fresh = card(o);
      existing.replaceWith(fresh);
      highlight(fresh);
    } else if (waiting >= 0) {
      held[waiting] = o;
    } else if (kind === 'order.created' && fitsBoard(o) && rows) {
      held.push(o);
      renderBar();
    } else if (kind === 'order.created' && fitsBoard(o) && cards) {
      if (cards.querySelector('li.card')) {
        held.push(o);
        renderBar();
      } else {
        addCard(o);
      }
    }
    refreshCounts();
  }

  // The table view: a row's stage follows its order live.
  function onTableOrder(o) {
    var row = document.getElementById('row-' + o.number);
    if (!row) { return; }
    row.setAttribute('data-status', o.status);
    var stage = row.querySelector('.stage');
    if (stage) {
      stage.className = 'stage stage-' + o.status;
      stage.textContent = LABELS[o.status] || o.status;
    }
  }
  // Bulk selection: a count, "select all", shift-click for a range, and
  // only the fields the chosen action takes.
  var bulkForm = document.getElementById('bulk-form');
  if (bulkForm) {
    var picks = function () { return Array.prototype.slice.call(bulkForm.querySelectorAll('input.pick')); };
    var count = document.getElementById('bulk-count');
    var all = document.getElementById('select-all');
    var apply = document.getElementById('bulk-apply');
    var lastPick = null;
    var renderCount = function () {
      var n = picks().filter(function (p) { return p.checked; }).length;
      count.textContent = n === 0 ? 'None selected' : n + ' selected';
      apply.disabled = n === 0;
      var slipsButton = document.getElementById('bulk-slips');
      if (slipsButton) { slipsButton.disabled = n === 0; }
      if (all) { all.checked = n > 0 && n === picks().length; }
      picks().forEach(function (p) { p.closest('tr').classList.toggle('picked', p.checked); });
    };
    bulkForm.addEventListener('click', function (ev) {
      var box = ev.target;
      if (!box.classList || !box.classList.contains('pick')) { return; }
      var list = picks();
      if (ev.shiftKey && lastPick && lastPick !== box) {
        var a = list.indexOf(lastPick);
        var b = list.indexOf(box);
        list.slice(Math.min(a, b), Math.max(a, b) + 1).forEach(function (p) { p.checked = box.checked; });
      }
      lastPick = box;
      renderCount();
    });
    if (all) {
      all.addEventListener('change', function () {
        picks().forEach(function (p) { p.checked = all.checked; });
        renderCount();
      });
    }
    var action = document.getElementById('bulk-action');
    var renderFields = function () {
      bulkForm.querySelectorAll('.bulk-field').forEach(function (f) {
        f.hidden = f.getAttribute('data-for').split(' ').indexOf(action.value) < 0;
      });
    };
    action.addEventListener('change', renderFields);
    renderFields();
    renderCount();
  }

  if (board) {
    fetch('/inbox/unread.json', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (u) {
        if (!u || !u.orders) { return; }
        u.orders.forEach(function (o) {
          unreadOrders[o.number] = o.key;
          var li = document.getElementById('order-' + o.number);
          if (li) { markUnread(li, o.key); }
        });
      })
      .catch(function () { /* the markers come with the next event */ });
  }

  // ---- the inbox ----------------------------------------------------------------------
  var inbox = document.querySelector('main.inbox');
  var seenUnread = {};
  var seenHandover = {};
  document.querySelectorAll('li.conv[data-key]').forEach(function (li) {
    var u = li.querySelector('.unread');
    seenUnread[li.getAttribute('data-key')] = u ? parseInt(u.textContent, 10) || 0 : 0;
    seenHandover[li.getAttribute('data-key')] = li.getAttribute('data-handover') === 'true';
  });
  function onConversation(c) {
    var name = (c.customer && c.customer.name) || (c.customer && c.customer.wa_id ? '+' + c.customer.wa_id : c.key);
    var href = '/inbox?c=' + encodeURIComponent(c.key);
    // The customer wrote and waits for a person: their message came last,
    // or the bot answered one it could not use (its answer is no answer).
    var fresh = c.last_message && c.needs_reply && c.unread > (seenUnread[c.key] || 0);
    var said = c.last_message && c.last_message.direction === 'in' ? c.last_message.text
      : 'the bot could not answer them';
    var open = inbox && inbox.getAttribute('data-open') === c.key;
    // Asking for a person is news even when the bot's answer came last.
    var handedOver = c.handover && !seenHandover[c.key];
    seenUnread[c.key] = c.unread;
    seenHandover[c.key] = c.handover;
    if (handedOver) {
      toast(name + ' wants to talk to a person', href);
      notify(name + ' wants to talk to a person', c.last_message.text, href);
    } else if (fresh && !open) {
      toast('New message from ' + name + ': ' + said, href);
      notify('New message from ' + name, said, href);
    }
    if ((fresh || handedOver) && !(orderMain && c.order_number === orderNumber)) { beep(); }
    if (c.order_number) {
      if (c.needs_reply) { unreadOrders[c.order_number] = c.key; } else { delete unreadOrders[c.order_number]; }
      var li = document.getElementById('order-' + c.order_number);
      if (li) { markUnread(li, unreadOrders[c.order_number]); }
    }
    if (inbox) { refreshLive('inbox-live'); }
  }

  // ---- the order window ---------------------------------------------------------------
  var orderMain = document.querySelector('main.order');
  var orderNumber = orderMain ? Number(orderMain.getAttribute('data-number')) : null;
  var refreshing = null;
  var again = false;
  function refreshOrder() {
    if (!orderMain) { return; }
    if (refreshing) { again = true; return; }
    refreshing = fetch(window.location.pathname, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var next = doc.getElementById('order-live');
        var current = document.getElementById('order-live');
        if (!next || !current) { return; }
        // Keep what staff are typing and where focus is.
        var values = {};
        current.querySelectorAll('input[id], textarea[id]').forEach(function (i) {
          if (i.type !== 'hidden') { values[i.id] = i.value; }
        });
        var focused = document.activeElement && document.activeElement.id;
        var adopted = document.importNode(next, true);
        current.replaceWith(adopted);
        Object.keys(values).forEach(function (id) {
          var i = document.getElementById(id);
          if (i && values[id]) { i.value = values[id]; }
        });
        if (focused) {
          var f = document.getElementById(focused);
          if (f) { f.focus(); }
        }
        updatePreviews();
        scrollTimeline();
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () {
        refreshing = null;
        if (again) { again = false; refreshOrder(); }
      });
  }
  // The inbox redraws its list and open conversation the same way.
  var liveBusy = false;
  var liveAgain = false;
  function refreshLive(id) {
    if (liveBusy) { liveAgain = true; return; }
    liveBusy = true;
    fetch(window.location.pathname + window.location.search, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, 'text/html');
        var next = doc.getElementById(id);
        var current = document.getElementById(id);
        if (!next || !current) { return; }
        var typed = document.getElementById('reply-text');
        var text = typed ? typed.value : '';
        // A typed draft's rows being edited survive a redraw of the same draft.
        var rows = 'input[name=line_id], input[name=line_qty]';
        var draft = document.getElementById('draft-form');
        var draftKey = draft ? draft.dataset.draft : null;
        var draftValues = draft ? Array.prototype.map.call(draft.querySelectorAll(rows), function (i) { return i.value; }) : [];
        var focused = document.activeElement && document.activeElement.id;
        // A choice staff made but have not sent yet (whom to assign)
        // survives the redraw too.
        var picked = {};
        current.querySelectorAll('select[id]').forEach(function (s) {
          var first = Array.prototype.find.call(s.options, function (o) { return o.defaultSelected; }) || s.options[0];
          if (first && s.value !== first.value) { picked[s.id] = s.value; }
        });
        current.replaceWith(document.importNode(next, true));
        Object.keys(picked).forEach(function (pid) {
          var s = document.getElementById(pid);
          if (s) { s.value = picked[pid]; }
        });
        var again = document.getElementById('reply-text');
        if (again && text) { again.value = text; }
        var redrawn = document.getElementById('draft-form');
        if (redrawn && draftKey && redrawn.dataset.draft === draftKey) {
          redrawn.querySelectorAll(rows).forEach(function (i, n) {
            if (n < draftValues.length) { i.value = draftValues[n]; }
          });
        }
        if (focused) { var f = document.getElementById(focused); if (f) { f.focus(); } }
        scrollTimeline();
      })
      .catch(function () { /* the next event tries again */ })
      .then(function () {
        liveBusy = false;
        if (liveAgain) { liveAgain = false; refreshLive(id); }
      });
  }
  // The timeline reads like a chat: newest at the bottom, in view.
  function scrollTimeline() {
    var t = document.querySelector('.timeline');
    if (t) { t.scrollTop = t.scrollHeight; }
  }
  scrollTimeline();
  function showError(message) {
    var host = orderMain || inbox;
    if (!host) { if (message) { toast(message); } return; }
    var box = document.getElementById('form-error');
    if (!message) { if (box) { box.remove(); } return; }
    if (!box) {
      box = el('p', 'alert');
      box.id = 'form-error';
      box.setAttribute('role', 'alert');
      if (orderMain) {
        orderMain.insertBefore(box, document.getElementById('order-live'));
      } else {
        var form = document.getElementById('reply-form');
        if (form) { form.parentNode.insertBefore(box, form); } else { inbox.insertBefore(box, inbox.firstChild); }
      }
    }
    box.textContent = message.charAt(0).toUpperCase() + message.slice(1);
  }
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form || !form.classList || !form.classList.contains('js-enhance')) { return; }
    ev.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    if (button) { button.disabled = true; }
    postForm(form.getAttribute('action'), new FormData(form)).then(function (res) {
      if (button) { button.disabled = false; }
      if (res.ok) {
        showError(null);
        if (form.id === 'reply-form' || form.id === 'note-form') {
          var text = form.querySelector('textarea');
          if (text) { text.value = ''; }
        }
        refreshOrder();
        if (inbox) { refreshLive('inbox-live'); }
      } else {
        showError(res.body && res.body.error ? res.body.error.message : 'That did not work; try again.');
      }
    }).catch(function () {
      if (button) { button.disabled = false; }
      showError('Network trouble: nothing was sent. Try again.');
    });
  });

  // ---- ages tick on ---------------------------------------------------------------------
  window.setInterval(function () {
    document.querySelectorAll('time.age[datetime]').forEach(function (t) {
      t.textContent = ageOf(t.getAttribute('datetime'));
    });
  }, 30000);

  // ---- what the customer will read -------------------------------------------------------
  // A reason field names its preview; the preview carries the message as the
  // server would send it, with a mark where the reason goes.
  function updatePreview(input) {
    var out = document.getElementById(input.getAttribute('data-preview-for'));
    if (!out) { return; }
    var reason = input.value.trim();
    out.textContent = reason
      ? out.getAttribute('data-with').split(out.getAttribute('data-mark')).join(reason)
      : out.getAttribute('data-without');
  }
  function updatePreviews() {
    document.querySelectorAll('input[data-preview-for]').forEach(updatePreview);
  }
  document.addEventListener('input', function (ev) {
    if (ev.target && ev.target.hasAttribute && ev.target.hasAttribute('data-preview-for')) {
      updatePreview(ev.target);
    }
  });
  updatePreviews();

  // ---- settings: a customer text, previewed by the server as it is typed ------------------
  // The server fills the placeholders (it alone knows them) with sample
  // values in the business's locale; an unknown one comes back as a 422
  // naming the known ones, shown under the box.
  var textBody = document.getElementById('text-body');
  var textKey = document.getElementById('text-key');
  if (textBody && textKey) {
    var textPreview = document.getElementById('text-preview');
    var textError = document.getElementById('text-preview-error');
    var previewTimer = null;
    var previewAsked = 0;
    var showTextPreview = function (text, error) {
      textPreview.textContent = text || '';
      textPreview.hidden = text === null;
      textError.textContent = error || '';
      textError.hidden = !error;
    };
    var refreshTextPreview = function () {
      var mine = ++previewAsked;
      if (!textBody.value.trim()) { showTextPreview(null, null); return; }
      postForm('/settings/texts/preview', { body: textBody.value, key: textKey.value }).then(function (res) {
        if (mine !== previewAsked) { return; }
        if (res.ok) {
          showTextPreview(res.body.text, null);
        } else {
          showTextPreview(null, res.body && res.body.error ? res.body.error.message : 'The preview did not work; try again.');
        }
      }).catch(function () {
        if (mine === previewAsked) { showTextPreview(null, 'Network trouble: the preview is not up to date.'); }
      });
    };
    textBody.addEventListener('input', function () {
      window.clearTimeout(previewTimer);
      previewTimer = window.setTimeout(refreshTextPreview, 150);
    });
    // The body shown is the chosen text in the chosen language: its own
    // if the business wrote one, else what a customer of that language gets.
    var textLanguage = document.getElementById('text-language');
    var textLimit = document.getElementById('text-limit');
    var showChosenText = function () {
      var chosen = textKey.options[textKey.selectedIndex];
      if (!chosen) { return; }
      var bodies = {};
      try { bodies = JSON.parse(chosen.getAttribute('data-bodies') || '{}'); } catch (e) { bodies = {}; }
      var lang = textLanguage ? textLanguage.value.trim() : '';
      var body = Object.prototype.hasOwnProperty.call(bodies, lang) ? bodies[lang] : bodies['*'];
      textBody.value = body === undefined ? (chosen.getAttribute('data-body') || '') : body;
      if (textLimit) {
        var max = chosen.getAttribute('data-max');
        textLimit.textContent = (max ? 'A label: ' + chosen.getAttribute('data-what') + ' may have at most ' + max +
          " characters (WhatsApp's limit). " : '') + 'Leave it empty to go back to the built-in text.';
      }
      refreshTextPreview();
    };
    textKey.addEventListener('change', showChosenText);
    if (textLanguage) { textLanguage.addEventListener('change', showChosenText); }
  }

  // ---- copy buttons and confirmations ---------------------------------------------------
  document.addEventListener('click', function (ev) {
    var button = ev.target && ev.target.closest ? ev.target.closest('button[data-copy]') : null;
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById(button.getAttribute('data-copy') + '-status');
    if (!source) { return; }
    function copied(ok) {
      if (status) { status.textContent = ok ? 'Copied.' : 'Copy it by hand: it is selected.'; }
    }
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      copied(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(source.textContent).then(function () { copied(true); }, fallback);
    } else {
      fallback();
    }
  });
  // Forms that end something (log out) ask first.
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    var question = form && form.getAttribute ? form.getAttribute('data-confirm') : null;
    if (question && !window.confirm(question)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);

  // ---- the event stream -----------------------------------------------------------------
  var start = body.getAttribute('data-last-event-id');
  if (start === null) { return; }
  var lastId = parseInt(start, 10) || 0;
  var live = document.getElementById('live');
  function setLive(state) {
    body.setAttribute('data-live', state);
    if (live) {
      live.textContent = state === 'open' ? 'Live' : 'Reconnecting…';
      live.className = 'live ' + (state === 'open' ? 'live-on' : 'live-off');
    }
  }
  function handle(kind, ev) {
    var id = parseInt(ev.lastEventId, 10);
    if (id && id <= lastId) { return; }
    if (id) { lastId = id; body.setAttribute('data-seen-event-id', String(id)); }
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    if (kind === 'conversation.updated') { onConversation(data); return; }
    if (kind.indexOf('message.') === 0) {
      if (orderMain && data.number === orderNumber) {
        refreshOrder();
        if (kind === 'message.received') { beep(); }
      }
      // The open conversation's ticks (sent, delivered, read) follow live;
      // a new message comes with its conversation.updated.
      if (inbox && kind !== 'message.received' && data.message &&
          inbox.getAttribute('data-open') === data.message.customer_key) {
        refreshLive('inbox-live');
      }
      // Elsewhere the conversation.updated event of the same message toasts.
      return;
    }
    // An agent who sees only their own orders hears of no one else's, and
    // once of an order taken from them: it leaves their board.
    if (ownOnly && data.assignee !== ownOnly) {
      if (data.previous_assignee === ownOnly) { dropOrder(data); }
      return;
    }
    if (kind === 'order.created') { toastOrder(data); }
    if (board) { onBoardOrder(kind, data); onTableOrder(data); }
    if (orderMain && data.number === orderNumber) { refreshOrder(); }
    // Insights: every order or payment change may move a figure.
    if (page === 'insights') { refreshLive('insights-live'); }
  }
  var retry = 1000;
  function connect() {
    var source = new EventSource('/api/v1/events?last_event_id=' + lastId);
    source.onopen = function () { retry = 1000; setLive('open'); };
    source.onerror = function () {
      setLive('reconnecting');
      // The browser retries by itself (sending Last-Event-ID) unless the
      // server answered with an error; then start again from the last id seen.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        window.setTimeout(connect, retry);
        retry = Math.min(retry * 2, 15000);
      }
    };
    KINDS.forEach(function (kind) {
      source.addEventListener(kind, function (ev) { handle(kind, ev); });
    });
  }
  connect();
}());
