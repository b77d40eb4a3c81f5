// SPDX-License-Identifier: MIT
#include "core/model/eventlogmodel.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include "support/modelmirror.h"
#include "support/modelsignalcounts.h"

#include <deque>

using Clickscope::DashboardSnapshot;
using Clickscope::EventLogModel;
using Clickscope::RawEventRow;
using Clickscope::SseEvent;

namespace {

using SignalCounts = Clickscope::Testing::ModelSignalCounts;
using Clickscope::Testing::ModelMirror;

RawEventRow makeRow(int id, qint64 arrivalMs = 1'700'000'000'000)
{
    return {SseEvent("click", QByteArray::number(id), "{\"n\":" + QByteArray::number(id) + "}"), arrivalMs};
}

QList<RawEventRow> makeRows(int firstId, int count)
{
    QList<RawEventRow> rows;
    for (int i = 0; i < count; ++i)
        rows.append(makeRow(firstId + i));
    return rows;
}

QList<int> ids(const EventLogModel &model)
{
    QList<int> out;
    for (int r = 0; r < model.rowCount(); ++r)
        out.append(model.eventAt(r).event.lastEventIdString().toInt());
    return out;
}

QList<int> range(int first, int count)
{
    QList<int> out;
    for (int i = 0; i < count; ++i)
        out.append(first + i);
    return out;
}

QPoint span(const QSignalSpy &spy) { return {spy.first().at(1).toInt(), spy.first().at(2).toInt()}; }

}   // namespace

class TestEventLogModel : public QObject
{
    Q_OBJECT

private slots:
    void capacityClamped_data();
    void capacityClamped();
    void columnsAndRoles();
    void previewText_data();
    void previewText();
    void previewOfHugeDataIsCheap();
    void batchesEvictFromTheFront();
    void batchLargerThanCapacityKeepsNewest();
    void storesDetachedEvents();
    void pauseBuffersAndResumesInOneBatch();
    void pauseBufferIsBounded();
    void clearIsTheOnlyReset();
    void applySnapshotCountsNotShown();
    void churnKeepsSignalsBounded();
};

void TestEventLogModel::capacityClamped_data()
{
    QTest::addColumn<int>("requested");
    QTest::addColumn<int>("expected");
    QTest::newRow("negative") << -3 << 1;
    QTest::newRow("zero") << 0 << 1;
    QTest::newRow("default") << EventLogModel::kDefaultCapacity << 1000;
    QTest::newRow("above max") << EventLogModel::kMaxCapacity + 1 << EventLogModel::kMaxCapacity;
}

void TestEventLogModel::capacityClamped()
{
    QFETCH(int, requested);
    QFETCH(int, expected);
    EventLogModel model(requested);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.capacity(), expected);
    model.appendEvents(makeRows(0, 3));
    QCOMPARE(model.rowCount(), std::min(3, expected));
    QCOMPARE(model.evicted(), quint64(3 - std::min(3, expected)));
}

void TestEventLogModel::columnsAndRoles()
{
    EventLogModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const qint64 at = QDateTime(QDate(2024, 6, 11), QTime(13, 4, 5, 67)).toMSecsSinceEpoch();
    model.appendEvents({{SseEvent("click", "id-7", "line one\nline two"), at}, {SseEvent("", "", ""), at + 1}});

    QCOMPARE(model.columnCount(), 5);
    const QStringList headers{"Time", "Type", "Id", "Size", "Data"};
    for (int c = 0; c < headers.size(); ++c)
        QCOMPARE(model.headerData(c, Qt::Horizontal).toString(), headers.at(c));

    QCOMPARE(model.index(0, EventLogModel::TimeColumn).data().toString(), QStringLiteral("13:04:05.067"));
    QCOMPARE(model.index(0, EventLogModel::TimeColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("2024-06-11 13:04:05.067"));
    QCOMPARE(model.index(0, EventLogModel::TypeColumn).data().toString(), QStringLiteral("click"));
    QCOMPARE(model.index(0, EventLogModel::IdColumn).data().toString(), QStringLiteral("id-7"));
    QCOMPARE(model.index(0, EventLogModel::SizeColumn).data().toLongLong(), 5 + 4 + 17);
    QCOMPARE(model.index(0, EventLogModel::SizeColumn).data(Qt::TextAlignmentRole).toInt(),
             int(Qt::AlignRight | Qt::AlignVCenter));
    QCOMPARE(model.index(0, EventLogModel::DataColumn).data().toString(), QStringLiteral("line one⏎line two"));
    // An untyped event is what EventSource dispatches as "message".
    QCOMPARE(model.index(1, EventLogModel::TypeColumn).data().toString(), QStringLiteral("message"));
    QCOMPARE(model.index(1, EventLogModel::DataColumn).data().toString(), QString());

    // Raw values for sorting and the inspector.
    const QVariant rawTime = model.index(0, EventLogModel::TimeColumn).data(EventLogModel::RawValueRole);
    QCOMPARE(rawTime.metaType(), QMetaType::fromType<qint64>());
    QCOMPARE(rawTime.toLongLong(), at);
    QCOMPARE(model.index(0, EventLogModel::SizeColumn).data(EventLogModel::RawValueRole).toLongLong(), 26);
    QCOMPARE(model.index(0, EventLogModel::DataColumn).data(EventLogModel::RawValueRole).toByteArray(),
             QByteArray("line one\nline two"));
    QCOMPARE(model.index(0, EventLogModel::TypeColumn).data(EventLogModel::FullDataRole).toByteArray(),
             QByteArray("line one\nline two"));
    QCOMPARE(model.fullData(0), QByteArray("line one\nline two"));
    QCOMPARE(model.fullData(2), QByteArray());
    QCOMPARE(model.fullData(-1), QByteArray());
    QCOMPARE(model.eventAt(1).arrivalMs, at + 1);
}

void TestEventLogModel::previewText_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("maxChars");
    QTest::addColumn<QString>("expected");

    QTest::newRow("empty") << QByteArray() << 200 << QString();
    QTest::newRow("short") << QByteArray("{\"a\":1}") << 200 << QStringLiteral("{\"a\":1}");
    QTest::newRow("newlines") << QByteArray("a\nb\n") << 200 << QStringLiteral("a⏎b⏎");
    QTest::newRow("crlf and cr") << QByteArray("a\r\nb\rc") << 200 << QStringLiteral("a⏎b⏎c");
    QTest::newRow("exactly max") << QByteArray(200, 'x') << 200 << QString(200, u'x');
    QTest::newRow("one over") << QByteArray(201, 'x') << 200 << QString(200, u'x') + u'…';
    QTest::newRow("multibyte kept whole") << QByteArray("\xc3\xa9\xe2\x82\xac\xc3\xa9") << 2 << QStringLiteral("é€…");
    // 😀 is two UTF-16 units: a cut between them would leave half a character.
    QTest::newRow("no half surrogate") << QByteArray("ab\xf0\x9f\x98\x80") << 3 << QStringLiteral("ab…");
    QTest::newRow("surrogate fits") << QByteArray("a\xf0\x9f\x98\x80z") << 3 << QStringLiteral("a😀…");
    QTest::newRow("three-byte run") << QByteArray(3 * 300, '\0').replace(QByteArray(1, '\0'), "\xe2\x82\xac") << 200
                                    << QString(200, QChar(0x20AC)) + u'…';
}

void TestEventLogModel::previewText()
{
    QFETCH(QByteArray, data);
    QFETCH(int, maxChars);
    QFETCH(QString, expected);
    QCOMPARE(EventLogModel::previewText(data, maxChars), expected);
}

void TestEventLogModel::previewOfHugeDataIsCheap()
{
    const QByteArray huge(16 * 1024 * 1024, 'y');
    EventLogModel model(2);
    model.appendEvents({{SseEvent("big", "1", huge), 0}});
    QElapsedTimer timer;
    timer.start();
    QString preview;
    for (int i = 0; i < 1000; ++i)
        preview = model.index(0, EventLogModel::DataColumn).data().toString();
    // Decoding 16 MiB a thousand times would take seconds; the preview reads ~600 bytes each.
    QVERIFY2(timer.elapsed() < 500, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(preview.size(), EventLogModel::kPreviewChars + 1);
    QCOMPARE(model.fullData(0).size(), huge.size());
}

void TestEventLogModel::batchesEvictFromTheFront()
{
    EventLogModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ModelMirror mirror(&model);
    SignalCounts counts(&model);

    model.appendEvents(makeRows(0, 3));
    QCOMPARE(counts.inserted.size(), 1);
    QCOMPARE(span(counts.inserted), QPoint(0, 2));
    QCOMPARE(counts.total(), 1);

    counts.clear();
    model.appendEvents({});
    QCOMPARE(counts.total(), 0);

    counts.clear();
    model.appendEvents(makeRows(3, 7));   // exactly full
    QCOMPARE(counts.total(), 1);
    QCOMPARE(span(counts.inserted), QPoint(3, 9));
    QCOMPARE(model.evicted(), 0ULL);

    counts.clear();
    model.appendEvents(makeRows(10, 4));
    QCOMPARE(counts.removed.size(), 1);
    QCOMPARE(span(counts.removed), QPoint(0, 3));
    QCOMPARE(counts.inserted.size(), 1);
    QCOMPARE(span(counts.inserted), QPoint(6, 9));
    QCOMPARE(counts.total(), 2);
    QCOMPARE(model.evicted(), 4ULL);
    QCOMPARE(ids(model), range(4, 10));
    QVERIFY(mirror.matchesModel());

    // Many small ticks on a full, wrapped ring.
    for (int tick = 0; tick < 50; ++tick) {
        counts.clear();
        model.appendEvents(makeRows(14 + tick * 3, 3));
        QCOMPARE(counts.removed.size(), 1);
        QCOMPARE(counts.inserted.size(), 1);
        QCOMPARE(counts.total(), 2);
    }
    QCOMPARE(ids(model), range(14 + 150 - 10, 10));
    QCOMPARE(model.evicted(), quint64(4 + 150));
    QVERIFY(mirror.matchesModel());
}

void TestEventLogModel::batchLargerThanCapacityKeepsNewest()
{
    EventLogModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ModelMirror mirror(&model);
    model.appendEvents(makeRows(0, 6));
    SignalCounts counts(&model);

    model.appendEvents(makeRows(100, 25));
    QCOMPARE(counts.removed.size(), 1);
    QCOMPARE(span(counts.removed), QPoint(0, 5));
    QCOMPARE(counts.inserted.size(), 1);
    QCOMPARE(span(counts.inserted), QPoint(0, 9));
    QCOMPARE(counts.total(), 2);
    QCOMPARE(ids(model), range(115, 10));
    QCOMPARE(model.evicted(), quint64(6 + 15));
    QVERIFY(mirror.matchesModel());
}

void TestEventLogModel::storesDetachedEvents()
{
    // One network read: many events back to back in one buffer, as SseParser makes them.
    QByteArray storage;
    for (int i = 0; i < 100; ++i)
        storage += "click" + QByteArray::number(i) + "{\"n\":" + QByteArray::number(i) + "}";
    QList<RawEventRow> rows;
    qsizetype offset = 0;
    for (int i = 0; i < 100; ++i) {
        const qsizetype idSize = QByteArray::number(i).size();
        const qsizetype dataSize = 6 + idSize;
        rows.append({SseEvent(storage, offset, 5, idSize, dataSize), i});
        offset += 5 + idSize + dataSize;
    }
    QCOMPARE(offset, storage.size());
    QCOMPARE(rows.at(42).event.dataString(), QStringLiteral("{\"n\":42}"));
    QVERIFY(rows.first().event.retainedBytes() > 1000);

    EventLogModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.appendEvents(rows);
    QCOMPARE(model.rowCount(), 10);
    for (int r = 0; r < model.rowCount(); ++r) {
        const SseEvent &event = model.eventAt(r).event;
        QCOMPARE(event.retainedBytes(), event.byteSize());
        QCOMPARE(event, rows.at(90 + r).event);
    }

    // The pause buffer keeps its events detached as well.
    model.setPaused(true);
    model.appendEvents(rows.mid(0, 5));
    model.setPaused(false);
    for (int r = 0; r < model.rowCount(); ++r)
        QCOMPARE(model.eventAt(r).event.retainedBytes(), model.eventAt(r).event.byteSize());
    QCOMPARE(model.eventAt(9).event, rows.at(4).event);
}

void TestEventLogModel::pauseBuffersAndResumesInOneBatch()
{
    EventLogModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ModelMirror mirror(&model);
    QSignalSpy pausedChanged(&model, &EventLogModel::pausedChanged);
    model.appendEvents(makeRows(0, 4));
    SignalCounts counts(&model);

    model.setPaused(true);
    QVERIFY(model.isPaused());
    QCOMPARE(pausedChanged.size(), 1);
    model.setPaused(true);
    QCOMPARE(pausedChanged.size(), 1);
    model.appendEvents(makeRows(4, 3));
    model.appendEvents(makeRows(7, 3));
    QCOMPARE(counts.total(), 0);   // the table stands still
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.pendingCount(), 6);

    model.setPaused(false);
    QCOMPARE(pausedChanged.size(), 2);
    QCOMPARE(pausedChanged.last().at(0).toBool(), false);
    QCOMPARE(counts.inserted.size(), 1);
    QCOMPARE(span(counts.inserted), QPoint(4, 9));
    QCOMPARE(counts.total(), 1);
    QCOMPARE(ids(model), range(0, 10));   // nothing lost
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(model.evicted(), 0ULL);

    // Resuming with nothing waiting emits nothing.
    counts.clear();
    model.setPaused(true);
    model.setPaused(false);
    QCOMPARE(counts.total(), 0);

    // Resuming onto a full log: one removal at the front, one insertion.
    model.setPaused(true);
    model.appendEvents(makeRows(10, 4));
    counts.clear();
    model.setPaused(false);
    QCOMPARE(counts.removed.size(), 1);
    QCOMPARE(span(counts.removed), QPoint(0, 3));
    QCOMPARE(counts.inserted.size(), 1);
    QCOMPARE(span(counts.inserted), QPoint(6, 9));
    QCOMPARE(counts.total(), 2);
    QCOMPARE(ids(model), range(4, 10));
    QCOMPARE(model.evicted(), 4ULL);
    QCOMPARE(model.droppedWhilePaused(), 0ULL);
    QVERIFY(mirror.matchesModel());
}

void TestEventLogModel::pauseBufferIsBounded()
{
    EventLogModel model(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ModelMirror mirror(&model);
    model.appendEvents(makeRows(0, 3));
    model.setPaused(true);
    model.appendEvents(makeRows(3, 8));
    model.appendEvents(makeRows(11, 6));   // 14 waiting: the 4 oldest go
    QCOMPARE(model.pendingCount(), 10);
    QCOMPARE(model.droppedWhilePaused(), 4ULL);
    model.appendEvents(makeRows(17, 23));   // more than the bound in one call
    QCOMPARE(model.pendingCount(), 10);
    QCOMPARE(model.droppedWhilePaused(), 4ULL + 10 + 13);
    QCOMPARE(model.evicted(), model.droppedWhilePaused());

    SignalCounts counts(&model);
    model.setPaused(false);
    QCOMPARE(counts.removed.size(), 1);
    QCOMPARE(span(counts.removed), QPoint(0, 2));
    QCOMPARE(counts.inserted.size(), 1);
    QCOMPARE(span(counts.inserted), QPoint(0, 9));
    QCOMPARE(ids(model), range(30, 10));
    QCOMPARE(model.evicted(), 27ULL + 3);
    QVERIFY(mirror.matchesModel());
}

void TestEventLogModel::clearIsTheOnlyReset()
{
    EventLogModel model(5);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SignalCounts counts(&model);
    model.appendEvents(makeRows(0, 12));
    model.setPaused(true);
    model.appendEvents(makeRows(12, 3));
    QCOMPARE(counts.reset.size(), 0);

    counts.clear();
    model.clear();
    QCOMPARE(counts.reset.size(), 1);
    QCOMPARE(counts.total(), 1);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.pendingCount(), 0);
    QCOMPARE(model.evicted(), 0ULL);
    QVERIFY(model.isPaused());   // clearing is not resuming

    model.setPaused(false);
    counts.clear();
    model.appendEvents(makeRows(20, 2));
    QCOMPARE(counts.inserted.size(), 1);
    QCOMPARE(span(counts.inserted), QPoint(0, 1));
    QCOMPARE(ids(model), range(20, 2));
}

void TestEventLogModel::applySnapshotCountsNotShown()
{
    EventLogModel model(4);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    DashboardSnapshot snapshot;
    snapshot.newEvents = makeRows(0, 3);
    snapshot.eventsNotShown = 7;
    model.applySnapshot(snapshot);
    model.applySnapshot(snapshot);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.notShownUpstream(), 14ULL);
    QCOMPARE(model.evicted(), 2ULL);
}

// Random batches (empty, small, larger than the log), pauses, resumes and clears over many ticks,
// against a plain deque: contents, counters and at most one removal and one insertion per call.
void TestEventLogModel::churnKeepsSignalsBounded()
{
    constexpr int kCapacity = 50;
    EventLogModel model(kCapacity);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ModelMirror mirror(&model);
    SignalCounts counts(&model);
    QRandomGenerator rng(7);

    std::deque<int> expected;
    std::deque<int> waiting;
    quint64 evicted = 0;
    quint64 dropped = 0;
    int nextId = 0;
    int evictions = 0, pauses = 0;

    const auto expectLog = [&] {
        QList<int> want(expected.begin(), expected.end());
        return ids(model) == want;
    };

    for (int tick = 0; tick < 1500; ++tick) {
        counts.clear();
        const int action = rng.bounded(100);
        if (action < 3) {
            model.clear();
            expected.clear();
            waiting.clear();
            evicted = dropped = 0;
            QCOMPARE(counts.reset.size(), 1);
            QCOMPARE(counts.total(), 1);
        } else if (action < 10) {
            const bool pause = !model.isPaused();
            model.setPaused(pause);
            pauses += pause ? 1 : 0;
            if (!pause) {
                for (int id : waiting)
                    expected.push_back(id);
                waiting.clear();
            }
        } else {
            const int size = rng.bounded(10) == 0 ? rng.bounded(kCapacity, 3 * kCapacity) : rng.bounded(12);
            model.appendEvents(makeRows(nextId, size));
            std::deque<int> &target = model.isPaused() ? waiting : expected;
            for (int i = 0; i < size; ++i)
                target.push_back(nextId + i);
            nextId += size;
            if (model.isPaused()) {
                while (waiting.size() > std::size_t(kCapacity)) {
                    waiting.pop_front();
                    ++dropped;
                    ++evicted;
                }
            }
        }
        while (expected.size() > std::size_t(kCapacity)) {
            expected.pop_front();
            ++evicted;
        }

        QVERIFY(counts.removed.size() <= 1);
        QVERIFY(counts.inserted.size() <= 1);
        QCOMPARE(counts.changed.size(), 0);
        QCOMPARE(counts.layout.size() + counts.moved.size(), 0);
        if (action >= 3)
            QCOMPARE(counts.reset.size(), 0);
        if (model.isPaused() && action >= 10)
            QCOMPARE(counts.total(), 0);
        if (counts.removed.size() == 1)
            QCOMPARE(counts.removed.first().at(1).toInt(), 0);   // always the front
        if (counts.inserted.size() == 1)
            QCOMPARE(counts.inserted.first().at(2).toInt(), model.rowCount() - 1);   // always the end
        evictions += int(counts.removed.size());

        QVERIFY(model.rowCount() <= kCapacity);
        QVERIFY(model.pendingCount() <= kCapacity);
        QCOMPARE(model.pendingCount(), qsizetype(waiting.size()));
        QVERIFY(expectLog());
        QCOMPARE(model.evicted(), evicted);
        QCOMPARE(model.droppedWhilePaused(), dropped);
        QVERIFY(mirror.matchesModel());
    }
    QVERIFY(evictions > 100);
    QVERIFY(pauses > 20);
    QVERIFY(dropped > 0);
}

QTEST_GUILESS_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"
