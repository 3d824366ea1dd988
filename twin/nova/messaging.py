"""oslo.messaging's in-memory transport, delivering a message when it arrives.

The fake transport's listeners look for messages every 50 ms where a broker delivers in about a
millisecond: every RPC hop of Nova's (a live migration makes a dozen: the conductor, both
computes, object saves through the conductor) waited 25 ms on average, and every idle listener
of every compute woke twenty times a second. Here a listener sleeps until a message for one of
its queues is delivered.
"""
import collections
import threading
import time

from oslo_messaging._drivers import base, impl_fake


class WakingExchange(impl_fake.FakeExchange):
    """An exchange that wakes the listeners of the queues it delivers to."""

    def __init__(self, name):
        super().__init__(name)
        self._listeners = collections.defaultdict(list)  # topic -> [(server or None, event)]

    def subscribe(self, topic, server, event):
        with self._queues_lock:
            self._listeners[topic].append((server, event))

    def unsubscribe(self, event):
        with self._queues_lock:
            for listeners in self._listeners.values():
                listeners[:] = [item for item in listeners if item[1] is not event]

    def deliver_message(self, topic, ctxt, message, server=None, fanout=False, reply_q=None):
        super().deliver_message(topic, ctxt, message, server=server, fanout=fanout, reply_q=reply_q)
        with self._queues_lock:
            listeners = list(self._listeners[topic])
        for listening_server, event in listeners:
            # Fanout and server messages land in server queues, the rest in the topic queue.
            if (listening_server is not None) if fanout else (listening_server == server):
                event.set()


class WakingListener(impl_fake.FakeListener):
    """A listener that waits for a delivery to one of its queues instead of polling."""

    def __init__(self, exchange_manager, targets, pool=None):
        super().__init__(exchange_manager, targets, pool)
        self._arrived = threading.Event()
        for target in targets:
            exchange_manager.get_exchange(target.exchange).subscribe(target.topic, target.server, self._arrived)

    @base.batch_poll_helper
    def poll(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stopped.is_set():
            # Cleared before looking, so a delivery after the look still ends the wait below.
            self._arrived.clear()
            for target in self._targets:
                exchange = self._exchange_manager.get_exchange(target.exchange)
                ctxt, message, reply_q, requeue = exchange.poll(target, self._pool)
                if message is not None:
                    return impl_fake.FakeIncomingMessage(ctxt, message, reply_q, requeue)
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            self._arrived.wait(left)
        return None

    def stop(self):
        super().stop()
        for target in self._targets:
            self._exchange_manager.get_exchange(target.exchange).unsubscribe(self._arrived)
        self._arrived.set()


def deliver_on_arrival():
    """Make the fake transport's drivers build waking exchanges and listeners from now on."""
    impl_fake.FakeExchange = WakingExchange
    impl_fake.FakeListener = WakingListener
