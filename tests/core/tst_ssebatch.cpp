// SPDX-License-Identifier: MIT
#include "core/sse/ssebatch.h"

#include <QTest>

using namespace Clickscope;

class TestSseBatch : public QObject
{
    Q_OBJECT

private slots:
    void fromEventsKeepsEveryEventInOrder();
    void eventsShareTheBatchsBuffer();
    void emptyBatch();
    void builderReusesItsBuffersOnlyWhenFree();
    void builderLetsGoOfWhatOneLargeEventGrew();
};

void TestSseBatch::fromEventsKeepsEveryEventInOrder()
{
    const QList<SseEvent> events{SseEvent("click", "1", "{\"link\":\"/a\"}"), SseEvent("message", "", ""),
                                 SseEvent("", "id-only", "x"), SseEvent("t", "2", QByteArray(5000, 'y'))};
    const SseBatch batch = SseBatch::fromEvents(events);
    QCOMPARE(batch.size(), events.size());
    QCOMPARE(batch.toList(), events);
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < events.size(); ++i) {
        const SseEventView view = batch.at(i);
        QCOMPARE(view.type(), events[i].type());
        QCOMPARE(view.lastEventId(), events[i].lastEventId());
        QCOMPARE(view.data(), events[i].data());
        QCOMPARE(view.byteSize(), events[i].byteSize());
        bytes += events[i].byteSize();
    }
    QCOMPARE(batch.byteSize(), bytes);
    QVERIFY(batch.retainedBytes() >= bytes);
    QCOMPARE(batch.last().data(), events.last().data());
    // An event made from a view owns its bytes: it outlives the batch.
    SseEvent kept;
    {
        const SseBatch alone = SseBatch::fromEvents(events);
        kept = SseEvent(alone.at(0));
    }
    QCOMPARE(kept, events.first());
    QCOMPARE(kept.retainedBytes(), kept.byteSize());
}

void TestSseBatch::eventsShareTheBatchsBuffer()
{
    const SseBatch batch = SseBatch::fromEvents({SseEvent("a", "1", "one"), SseEvent("b", "2", "two")});
    const SseEvent second = batch.event(1);
    QCOMPARE(second, SseEvent("b", "2", "two"));
    QCOMPARE(second.retainedBytes(), batch.retainedBytes());
    QCOMPARE(second.data().data(), batch.at(1).data().data());
    QList<SseEvent> out{SseEvent("before", "", "x")};
    batch.appendTo(out);
    QCOMPARE(out.size(), 3);
    QCOMPARE(out[2].data().data(), batch.at(1).data().data());
    // A copy of the batch reads the same bytes, not copies of them.
    const SseBatch copy = batch;
    QCOMPARE(copy.at(0).data().data(), batch.at(0).data().data());
}

void TestSseBatch::emptyBatch()
{
    const SseBatch none;
    QVERIFY(none.isEmpty());
    QVERIFY(none.begin() == none.end());
    QVERIFY(none.toList().isEmpty());
    QVERIFY(SseBatch::fromEvents({}).isEmpty());
    QCOMPARE(none.byteSize(), qsizetype(0));
}

void TestSseBatch::builderReusesItsBuffersOnlyWhenFree()
{
    SseBatchBuilder builder;
    builder.append("message", "1", "first");
    SseBatch first = builder.take();
    QVERIFY(builder.isEmpty());
    const char *const firstBytes = first.at(0).type().data();
    // Held: the next batch is written elsewhere, and the first keeps its events.
    for (int i = 0; i < 100; ++i)
        builder.append("message", QByteArray::number(i), "second");
    SseBatch second = builder.take();
    QVERIFY(second.at(0).type().data() != firstBytes);
    QCOMPARE(first.size(), 1);
    QCOMPARE(first.at(0).data(), QByteArrayView("first"));
    QCOMPARE(second.size(), 100);
    QCOMPARE(second.last().lastEventId(), QByteArrayView("99"));
    // Let go: the next batch is written where the last one was.
    const char *const secondBytes = second.at(0).type().data();
    first = {};
    second = {};
    builder.append("t", "", "third");
    const SseBatch third = builder.take();
    QCOMPARE(third.at(0).type().data(), secondBytes);
    QCOMPARE(third.at(0).data(), QByteArrayView("third"));
    // clear() forgets what was appended since the last take().
    builder.append("t", "", "dropped");
    builder.clear();
    QVERIFY(builder.take().isEmpty());
}

void TestSseBatch::builderLetsGoOfWhatOneLargeEventGrew()
{
    SseBatchBuilder builder;
    builder.append("message", "", QByteArray(8 * SseBatchBuilder::kRetainedBytes, 'x'));
    QVERIFY(builder.take().retainedBytes() >= 8 * SseBatchBuilder::kRetainedBytes);
    for (int i = 0; i < 3; ++i) {
        builder.append("message", "", "small");
        const SseBatch small = builder.take();
        QVERIFY2(small.retainedBytes() <= SseBatchBuilder::kRetainedBytes,
                 qPrintable(QString::number(small.retainedBytes())));
    }
}

QTEST_GUILESS_MAIN(TestSseBatch)
#include "tst_ssebatch.moc"
