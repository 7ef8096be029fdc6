// orderdesk's service worker: only so phones can show the dashboard's
// notifications (Android Chrome shows them from a service worker alone).
// It caches nothing and controls no page; a tap opens the order or chat.
'use strict';
self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('notificationclick', function (ev) {
  ev.notification.close();
  var url = (ev.notification.data && ev.notification.data.url) || '/orders';
  ev.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i += 1) {
      if ('focus' in list[i] && 'navigate' in list[i]) {
        return list[i].navigate(url).then(function (c) { return c && c.focus(); });
      }
    }
    return self.clients.openWindow(url);
  }));
});
