/* The phone: a WhatsApp-like chat with the business, driven by the
 * simulator's JSON API (/simulator/api/...). Every text from a customer or
 * the business is put on the page with textContent, never as HTML.
 *
 * Hooks for browser tests (stable; data-test unless noted):
 *   phone                     the page root
 *   current-customer          whom the phone acts as (data-wa-id on it)
 *   customers-open            opens the customer switcher ("customers" sheet)
 *   customer                  a customer in the switcher, data-wa-id; click to switch
 *   new-customer-name, new-customer-phone, add-customer-submit, add-customer-error
 *   catalog-open              opens the catalog ("catalog" sheet); catalog-close
 *   product                   a product card, data-retailer-id; inside it:
 *                             add-to-cart, remove-from-cart, quantity
 *   cart-open                 opens the cart ("cart" sheet): cart-line (data-retailer-id),
 *                             cart-total, cart-text (optional message), send-cart
 *   thread                    the chat; each message is data-test="message" with
 *                             data-wamid, data-from (customer|business), data-kind
 *                             (text|order|interactive|template|reply), data-status
 *   message-text              a message's text
 *   reply-button              a reply button, data-button-id (tap sends button_reply)
 *   link-button               a cta_url button: an <a target=_blank> whose href is the link
 *   document                  a document message's file (data-kind="document"): an
 *                             <a target=_blank> named by the file name, opening its link
 *   list-open                 opens a list message's rows ("list-sheet"):
 *                             list-row, data-row-id (tap sends list_reply)
 *   ticks                     on the customer's own messages, data-status =
 *                             pending|sent|delivered|read|failed
 *   text-input, send-text     type and send a text
 *   native-address            an address_message's "Add delivery address": opens the
 *                             "address-sheet" (address-<field>, address-error-<field>,
 *                             address-send; Meta's field names) which sends an nfm_reply
 *   native-order              an order_details summary (native-item lines, native-total);
 *                             its "Review and pay" is a link-button, or with a UPI
 *                             configuration native-pay (sends a captured payment status)
 *   native-status             an order_status's state (data-status)
 *   native-product            a product of a product/product_list message (data-retailer-id):
 *                             native-add adds it to the cart and opens the cart
 * /phone?customer=<wa_id> opens the phone as that customer.
 */
(function () {
  'use strict';

  var api = '/simulator/api';
  var $ = function (sel) { return document.querySelector(sel); };
  var test = function (name) { return document.querySelector('[data-test="' + name + '"]'); };

  var state = {
    products: [],
    customers: [],
    current: null,      // wa_id
    version: 0,
    messages: [],       // in thread order
    byWamid: {},
    cart: {},           // retailer_id -> quantity
    poll: null,         // AbortController of the running long poll
    generation: 0
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; }
      else if (k === 'class') { node.className = attrs[k]; }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }

  function money(minor, currency) {
    try {
      return new Intl.NumberFormat('en-IN', { style: 'currency', currency: currency }).format(minor / 100);
    } catch (e) {
      return currency + ' ' + (minor / 100).toFixed(2);
    }
  }

  function time(seconds) {
    var d = new Date(seconds * 1000);
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  function request(method, path, body, signal) {
    var init = { method: method, headers: {}, signal: signal };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(api + path, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) {
        if (!r.ok) {
          var error = new Error((json && json.error && json.error.message) || ('HTTP ' + r.status));
          error.status = r.status;
          throw error;
        }
        return json;
      });
    });
  }

  function product(id) {
    for (var i = 0; i < state.products.length; i++) {
      if (state.products[i].retailer_id === id) { return state.products[i]; }
    }
    return null;
  }

  function customer(wa) {
    for (var i = 0; i < state.customers.length; i++) {
      if (state.customers[i].wa_id === wa) { return state.customers[i]; }
    }
    return null;
  }

  /* ---------- sheets ---------- */

  function open(id) { $('#' + id).hidden = false; }
  function close(id) { $('#' + id).hidden = true; }

  /* ---------- customers ---------- */

  function loadCustomers() {
    return request('GET', '/customers').then(function (body) {
      state.customers = body.customers || [];
      renderCustomers();
    });
  }

  function renderCustomers() {
    var list = $('#customer-list');
    list.textContent = '';
    state.customers.forEach(function (c) {
      var b = el('button', { type: 'button', 'data-test': 'customer', 'data-wa-id': c.wa_id,
        'aria-current': String(c.wa_id === state.current) }, [
        el('span', { class: 'avatar', text: (c.name || '?').charAt(0).toUpperCase() }),
        el('span', {}, [el('span', { text: c.name }), el('small', { text: '+' + c.wa_id + ' · ' + c.user_id })])
      ]);
      b.addEventListener('click', function () { switchTo(c.wa_id); close('customers'); });
      list.appendChild(el('li', {}, [b]));
    });
  }

  function switchTo(wa) {
    if (state.poll) { state.poll.abort(); }
    state.generation += 1;
    state.current = wa;
    state.version = 0;
    state.messages = [];
    state.byWamid = {};
    try { localStorage.setItem('orderdesk-phone-customer', wa); } catch (e) { /* private mode */ }
    var c = customer(wa);
    var label = test('current-customer');
    label.textContent = c ? c.name + ' (+' + c.wa_id + ')' : '+' + wa;
    label.setAttribute('data-wa-id', wa);
    $('#thread').textContent = '';
    renderCustomers();
    renderEmpty();
    poll(state.generation);
  }

  /* ---------- thread ---------- */

  function renderEmpty() {
    var thread = $('#thread');
    var empty = thread.querySelector('.empty');
    if (state.messages.length === 0 && !empty) {
      thread.appendChild(el('div', { class: 'empty', text: 'Open the catalog to build a cart and send it to the business.' }));
    } else if (state.messages.length > 0 && empty) {
      empty.remove();
    }
  }

  function poll(generation) {
    if (generation !== state.generation || !state.current) { return; }
    var controller = new AbortController();
    state.poll = controller;
    var path = '/customers/' + encodeURIComponent(state.current) + '/thread?after=' + state.version + '&wait=25';
    request('GET', path, undefined, controller.signal).then(function (body) {
      if (generation !== state.generation) { return; }
      if (body.version < state.version) {
        // The simulator restarted and forgot the threads: start over.
        switchTo(state.current);
        return;
      }
      state.version = body.version;
      merge(body.messages || []);
      markRead();
      poll(generation);
    }).catch(function (e) {
      if (generation !== state.generation) { return; }
      if (e.status === 404) {
        // This customer is gone (the simulator restarted): pick another.
        loadCustomers().then(function () {
          if (generation !== state.generation) { return; }
          if (state.customers[0]) { switchTo(state.customers[0].wa_id); } else { open('customers'); }
        }).catch(function () { setTimeout(function () { poll(generation); }, 1000); });
        return;
      }
      setTimeout(function () { poll(generation); }, 1000);
    });
  }

  function merge(messages) {
    var thread = $('#thread');
    var nearBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 80;
    var added = false;
    messages.forEach(function (m) {
      var node = renderMessage(m);
      var old = thread.querySelector('[data-test="message"][data-wamid="' + CSS.escape(m.wamid) + '"]');
      if (old) {
        old.replaceWith(node);
      } else {
        state.messages.push(m);
        thread.appendChild(node);
        added = true;
      }
      state.byWamid[m.wamid] = m;
    });
    renderEmpty();
    if (added || nearBottom) { thread.scrollTop = thread.scrollHeight; }
  }

  /* The customer is looking at the chat: delivered business messages become read. */
  function markRead() {
    if (document.visibilityState !== 'visible' || !state.current) { return; }
    var unread = state.messages.some(function (m) {
      var now = state.byWamid[m.wamid] || m;
      return now.from === 'business' && now.status === 'delivered';
    });
    if (unread) {
      request('POST', '/customers/' + encodeURIComponent(state.current) + '/read', {}).catch(function () {});
    }
  }

  var TICKS = { pending: '◷', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

  function renderMessage(m) {
    var bubble = el('div', { class: 'bubble' });
    if (m.reply_to && state.byWamid[m.reply_to]) {
      var quoted = state.byWamid[m.reply_to];
      bubble.appendChild(el('div', { class: 'quote', text: (quoted.text || quoted.kind).slice(0, 120) }));
    }
    if (m.header) { bubble.appendChild(el('div', { class: 'header', text: m.header })); }
    if (m.kind === 'document' && m.link && /^https?:\/\//i.test(m.link.url)) {
      bubble.appendChild(el('a', { class: 'document', 'data-test': 'document', href: m.link.url,
        target: '_blank', rel: 'noopener noreferrer', text: '📄 ' + m.link.label }));
    }
    if (m.cart) {
      bubble.classList.add('cart-card');
      var first = product(m.cart.items[0] && m.cart.items[0].retailer_id);
      var count = m.cart.items.reduce(function (n, i) { return n + i.quantity; }, 0);
      bubble.appendChild(el('div', { class: 'cart-head' }, [
        first ? el('img', { src: first.image_url, alt: '' }) : null,
        el('span', { text: count + (count === 1 ? ' item' : ' items') + ' · ' + money(m.cart.total_minor, m.cart.currency) })
      ]));
      bubble.appendChild(el('ul', {}, m.cart.items.map(function (i) {
        return el('li', { text: i.title + ' × ' + i.quantity + ' · ' + money(i.price_minor * i.quantity, i.currency) });
      })));
    }
    if (m.native) { renderNative(m, bubble); }
    if (m.text) { bubble.appendChild(el('div', { 'data-test': 'message-text', text: m.text })); }
    if (m.footer) { bubble.appendChild(el('div', { class: 'footer', text: m.footer })); }
    var meta = el('div', { class: 'meta' }, [el('span', { text: time(m.at) })]);
    if (m.from === 'customer') {
      meta.appendChild(el('span', { class: 'ticks', 'data-test': 'ticks', 'data-status': m.status,
        title: m.status, 'aria-label': m.status, text: TICKS[m.status] || '' }));
    }
    bubble.appendChild(meta);

    var node = el('div', { class: 'msg ' + m.from, 'data-test': 'message', 'data-wamid': m.wamid,
      'data-from': m.from, 'data-kind': m.kind, 'data-status': m.status }, [bubble]);

    var actions = el('div', { class: 'actions' });
    (m.buttons || []).forEach(function (b) {
      var button = el('button', { type: 'button', 'data-test': 'reply-button', 'data-button-id': b.id, text: '↩ ' + b.title });
      button.addEventListener('click', function () { tap(m.wamid, b.id); });
      actions.appendChild(button);
    });
    if (m.kind !== 'document' && m.link && /^https?:\/\//i.test(m.link.url)) {
      actions.appendChild(el('a', { 'data-test': 'link-button', href: m.link.url, target: '_blank',
        rel: 'noopener noreferrer', text: '↗ ' + m.link.label }));
    }
    nativeActions(m, actions);
    if (m.list) {
      var opener = el('button', { type: 'button', 'data-test': 'list-open', text: '☰ ' + m.list.button });
      opener.addEventListener('click', function () { showList(m); });
      actions.appendChild(opener);
    }
    if (actions.childNodes.length) { node.appendChild(actions); }
    return node;
  }

  /* ---------- native commerce messages ---------- */

  var STATUS_LABELS = { pending: 'Pending', processing: 'Processing', 'partially-shipped': 'Partially shipped',
    shipped: 'Shipped', completed: 'Completed', canceled: 'Cancelled' };

  function renderNative(m, bubble) {
    var n = m.native;
    if (n.type === 'order_details') {
      bubble.classList.add('native-card');
      var lines = el('ul', { 'data-test': 'native-order' }, n.items.map(function (i) {
        return el('li', { 'data-test': 'native-item', text: i.name + ' × ' + i.quantity + ' · ' +
          money(i.amount_minor * i.quantity * 100 / n.offset, n.currency) });
      }));
      bubble.appendChild(el('div', { class: 'cart-head' }, [el('span', { text: 'Order details' })]));
      bubble.appendChild(lines);
      bubble.appendChild(el('div', { class: 'native-total', 'data-test': 'native-total',
        text: 'Total ' + money(n.total_minor * 100 / n.offset, n.currency) + (n.paid ? ' · Paid ✓' : '') }));
    } else if (n.type === 'order_status') {
      bubble.appendChild(el('div', { class: 'native-status', 'data-test': 'native-status', 'data-status': n.status,
        text: '📦 ' + (STATUS_LABELS[n.status] || n.status) + (n.description ? ' · ' + n.description : '') }));
    } else if (n.type === 'product' || n.type === 'product_list') {
      bubble.classList.add('native-card');
      n.sections.forEach(function (s) {
        // One section's title repeats the header: shown only among several.
        if (s.title && n.sections.length > 1) { bubble.appendChild(el('div', { class: 'section-title', text: s.title })); }
        s.products.forEach(function (id) {
          var p = product(id);
          var row = el('div', { class: 'native-product', 'data-test': 'native-product', 'data-retailer-id': id }, [
            p ? el('img', { src: p.image_url, alt: '' }) : null,
            el('span', { text: p ? p.title + ' · ' + money(p.price_minor, p.currency) : id })
          ]);
          var add = el('button', { type: 'button', 'data-test': 'native-add', text: 'Add' });
          add.addEventListener('click', function () {
            setQty(id, (state.cart[id] || 0) + 1);
            renderCart();
            open('cart');
          });
          row.appendChild(add);
          bubble.appendChild(row);
        });
      });
    }
  }

  function nativeActions(m, actions) {
    var n = m.native;
    if (!n) { return; }
    if (n.type === 'address_message') {
      var b = el('button', { type: 'button', 'data-test': 'native-address',
        text: n.answered ? '✓ Address sent' : '↗ Add delivery address' });
      b.addEventListener('click', function () { showAddress(m); });
      actions.appendChild(b);
    } else if (n.type === 'order_details' && n.upi && !m.link) {
      var pay = el('button', { type: 'button', 'data-test': 'native-pay', text: n.paid ? 'Paid ✓' : '₹ Review and pay' });
      if (n.paid) { pay.disabled = true; }
      pay.addEventListener('click', function () {
        request('POST', '/customers/' + encodeURIComponent(state.current) + '/pay', { wamid: m.wamid })
          .then(function (updated) { merge([updated]); })
          .catch(function (e) { alert(e.message); });
      });
      actions.appendChild(pay);
    }
  }

  var addressFor = null;

  function showAddress(m) {
    addressFor = m.wamid;
    var form = $('#address-form');
    Array.prototype.forEach.call(form.querySelectorAll('input'), function (input) {
      input.value = (m.native.values || {})[input.name] || '';
      var error = form.querySelector('[data-test="address-error-' + input.name + '"]');
      error.textContent = (m.native.errors || {})[input.name] || '';
    });
    open('address-sheet');
  }

  function sendAddress(event) {
    event.preventDefault();
    var values = {};
    Array.prototype.forEach.call($('#address-form').querySelectorAll('input'), function (input) {
      values[input.name] = input.value;
    });
    request('POST', '/customers/' + encodeURIComponent(state.current) + '/address', { wamid: addressFor, values: values })
      .then(function (m) { close('address-sheet'); merge([m]); })
      .catch(function (e) { alert(e.message); });
  }

  function showList(m) {
    $('#list-title').textContent = m.list.button;
    var rows = $('#list-rows');
    rows.textContent = '';
    m.list.sections.forEach(function (s) {
      if (s.title) { rows.appendChild(el('h3', { text: s.title })); }
      s.rows.forEach(function (r) {
        var b = el('button', { type: 'button', 'data-test': 'list-row', 'data-row-id': r.id }, [
          el('span', { text: r.title }), r.description ? el('small', { text: r.description }) : null
        ]);
        b.addEventListener('click', function () { close('list-sheet'); tap(m.wamid, r.id); });
        rows.appendChild(b);
      });
    });
    open('list-sheet');
  }

  function tap(wamid, id) {
    request('POST', '/customers/' + encodeURIComponent(state.current) + '/tap', { wamid: wamid, id: id })
      .then(function (m) { merge([m]); })
      .catch(function (e) { alert(e.message); });
  }

  /* ---------- catalog and cart ---------- */

  function renderCatalog() {
    var grid = $('#products');
    grid.textContent = '';
    state.products.forEach(function (p) {
      var q = state.cart[p.retailer_id] || 0;
      var qty = el('div', { class: 'qty' });
      if (q === 0) {
        var add = el('button', { type: 'button', class: 'add-first', 'data-test': 'add-to-cart', text: 'Add' });
        add.addEventListener('click', function () { setQty(p.retailer_id, 1); });
        qty.appendChild(add);
      } else {
        var minus = el('button', { type: 'button', 'data-test': 'remove-from-cart', 'aria-label': 'One less', text: '−' });
        var plus = el('button', { type: 'button', 'data-test': 'add-to-cart', 'aria-label': 'One more', text: '+' });
        minus.addEventListener('click', function () { setQty(p.retailer_id, q - 1); });
        plus.addEventListener('click', function () { setQty(p.retailer_id, q + 1); });
        qty.appendChild(minus);
        qty.appendChild(el('span', { 'data-test': 'quantity', text: String(q) }));
        qty.appendChild(plus);
      }
      grid.appendChild(el('article', { class: 'product', 'data-test': 'product', 'data-retailer-id': p.retailer_id }, [
        el('img', { src: p.image_url, alt: p.title, loading: 'lazy' }),
        el('div', { class: 'info' }, [
          el('div', { class: 'title', text: p.title }),
          el('div', { class: 'description', text: p.description }),
          el('div', { class: 'price', text: money(p.price_minor, p.currency) })
        ]),
        qty
      ]));
    });
    renderCartBar();
  }

  function cartLines() {
    return Object.keys(state.cart).filter(function (id) { return state.cart[id] > 0 && product(id); })
      .map(function (id) { return { product: product(id), quantity: state.cart[id] }; });
  }

  function cartTotal(lines) {
    return lines.reduce(function (t, l) { return t + l.product.price_minor * l.quantity; }, 0);
  }

  function renderCartBar() {
    var lines = cartLines();
    var count = lines.reduce(function (n, l) { return n + l.quantity; }, 0);
    $('#cart-bar').hidden = count === 0;
    if (count > 0) {
      test('cart-open').textContent = 'View cart · ' + count + (count === 1 ? ' item' : ' items') +
        ' · ' + money(cartTotal(lines), lines[0].product.currency);
    }
  }

  function setQty(id, q) {
    if (q <= 0) { delete state.cart[id]; } else { state.cart[id] = Math.min(q, 99); }
    renderCatalog();
    if (!$('#cart').hidden) { renderCart(); }
  }

  function renderCart() {
    var lines = cartLines();
    var list = $('#cart-lines');
    list.textContent = '';
    lines.forEach(function (l) {
      var minus = el('button', { type: 'button', class: 'icon', 'data-test': 'remove-from-cart', 'aria-label': 'One less', text: '−' });
      var plus = el('button', { type: 'button', class: 'icon', 'data-test': 'add-to-cart', 'aria-label': 'One more', text: '+' });
      minus.addEventListener('click', function () { setQty(l.product.retailer_id, l.quantity - 1); });
      plus.addEventListener('click', function () { setQty(l.product.retailer_id, l.quantity + 1); });
      list.appendChild(el('li', { 'data-test': 'cart-line', 'data-retailer-id': l.product.retailer_id }, [
        el('img', { src: l.product.image_url, alt: '' }),
        el('span', { class: 'line-title', text: l.product.title + ' · ' + money(l.product.price_minor, l.product.currency) }),
        minus, el('span', { 'data-test': 'quantity', text: String(l.quantity) }), plus
      ]));
    });
    test('cart-total').textContent = lines.length
      ? 'Total ' + money(cartTotal(lines), lines[0].product.currency) : 'Your cart is empty';
    test('send-cart').disabled = lines.length === 0;
  }

  function sendCart(event) {
    event.preventDefault();
    var lines = cartLines();
    if (!lines.length || !state.current) { return; }
    var body = {
      items: lines.map(function (l) { return { retailer_id: l.product.retailer_id, quantity: l.quantity }; }),
      text: $('#cart-text').value
    };
    test('send-cart').disabled = true;
    request('POST', '/customers/' + encodeURIComponent(state.current) + '/cart', body).then(function (m) {
      state.cart = {};
      $('#cart-text').value = '';
      close('cart');
      close('catalog');
      renderCatalog();
      merge([m]);
    }).catch(function (e) {
      alert(e.message);
    }).then(function () { test('send-cart').disabled = false; });
  }

  /* ---------- wiring ---------- */

  function sendText(event) {
    event.preventDefault();
    var input = $('#text');
    var text = input.value;
    if (!text.trim() || !state.current) { return; }
    request('POST', '/customers/' + encodeURIComponent(state.current) + '/text', { text: text }).then(function (m) {
      input.value = '';
      merge([m]);
    }).catch(function (e) { alert(e.message); });
  }

  function addCustomer(event) {
    event.preventDefault();
    var error = test('add-customer-error');
    error.textContent = '';
    request('POST', '/customers', { name: $('#new-name').value, phone: $('#new-phone').value }).then(function (c) {
      $('#new-name').value = '';
      $('#new-phone').value = '';
      return loadCustomers().then(function () { switchTo(c.wa_id); close('customers'); });
    }).catch(function (e) { error.textContent = e.message; });
  }

  function on(name, handler) { test(name).addEventListener('click', handler); }

  function start() {
    on('customers-open', function () { loadCustomers(); open('customers'); });
    on('customers-close', function () { close('customers'); });
    on('catalog-open', function () { renderCatalog(); open('catalog'); });
    on('catalog-open-composer', function () { renderCatalog(); open('catalog'); });
    on('catalog-close', function () { close('catalog'); });
    on('cart-open', function () { renderCart(); open('cart'); });
    on('cart-close', function () { close('cart'); });
    on('list-close', function () { close('list-sheet'); });
    on('address-close', function () { close('address-sheet'); });
    $('#address-form').addEventListener('submit', sendAddress);
    $('#cart-form').addEventListener('submit', sendCart);
    $('#composer').addEventListener('submit', sendText);
    $('#add-customer').addEventListener('submit', addCustomer);
    document.addEventListener('visibilitychange', markRead);

    Promise.all([request('GET', '/catalog'), loadCustomers()]).then(function (results) {
      state.products = results[0].products || [];
      renderCatalog();
      var wanted = new URLSearchParams(location.search).get('customer');
      var remembered = null;
      try { remembered = localStorage.getItem('orderdesk-phone-customer'); } catch (e) { /* private mode */ }
      var pick = [wanted, remembered].filter(function (wa) { return wa && customer(wa); })[0] ||
        (state.customers[0] && state.customers[0].wa_id);
      if (pick) { switchTo(pick); } else { open('customers'); }
    }).catch(function (e) {
      $('#thread').appendChild(el('div', { class: 'empty', text: 'The simulator is not reachable: ' + e.message }));
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
