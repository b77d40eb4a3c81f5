// SPDX-License-Identifier: MIT
// Several streams in one window, offscreen, on real publishers: each stream counts on its own,
// the overview shows them all and the troubled one stands out, and streams removed while they
// run leave no thread or socket behind.
#include "app/countertile.h"
#include "app/eventinspector.h"
#include "app/mainwindow.h"
#include "app/streamlist.h"
#include "app/streamoverview.h"
#include "app/streamsidebar.h"
#include "server/testpublisher.h"
#include "support/ports.h"

#include <QAction>
#include <QColor>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QImage>
#include <QJsonObject>
#include <QListView>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Clickscope;

namespace {

constexpr int kWaitMs = 10000;

// The publisher's `path`: over WebSocket for /ws, over SSE otherwise.
QUrl urlOf(const TestPublisher &publisher, const QString &path)
{
    QUrl url = publisher.baseUrl().resolved(QUrl(path));
    if (path.startsWith(QStringLiteral("/ws")))
        url.setScheme(QStringLiteral("ws"));
    return url;
}

StreamRequest requestFor(const QUrl &url)
{
    StreamRequest request;
    request.config.url = url;
    return request;
}

QList<QJsonObject> clicks(int n, const QString &link)
{
    QList<QJsonObject> out;
    for (int i = 0; i < n; ++i)
        out.append({{"link", link}, {"country", i % 2 ? "DE" : "US"}});
    return out;
}

// What the process holds: its threads, and its sockets (client and server side alike).
int threadCount()
{
    return int(QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size());
}

int socketCount()
{
    int sockets = 0;
    const QDir fds(QStringLiteral("/proc/self/fd"));
    for (const QString &fd : fds.entryList(QDir::System | QDir::NoDotAndDotDot)) {
        if (QFileInfo(fds.filePath(fd)).symLinkTarget().contains(QStringLiteral("socket:")))
            ++sockets;
    }
    return sockets;
}

QString cell(const StreamList *streams, int row, int column)
{
    return streams->index(row, column).data().toString().remove(QLocale().groupSeparator());
}

}   // namespace

class TestStreamList : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void eachStreamCountsOnItsOwnAndTheDashboardShowsTheChosenOne()
    {
        TestPublisher first(TestPublisher::Settings{});
        TestPublisher second(TestPublisher::Settings{});
        QVERIFY(first.listen());
        QVERIFY(second.listen());
        MainWindow window;
        window.show();
        window.connectTo(requestFor(urlOf(first, "/events")));
        QVERIFY(!window.streamsDock()->isVisible());   // one stream: no list in the way
        WatchedStream *other = window.openStream(requestFor(urlOf(second, "/ws")));
        QVERIFY(other);
        QCOMPARE(window.currentStream(), other);
        QVERIFY(window.streamsDock()->isVisible());
        QCOMPARE(window.streams()->size(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(first.subscriberCount() + second.subscriberCount(), 2, kWaitMs);

        first.hub().publish(clicks(30, "/one"));
        second.hub().publish(clicks(7, "/two"));
        // The one not shown counts too, in its own worker.
        QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(7), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(cell(window.streams(), 0, StreamList::ClicksColumn), QStringLiteral("30"), kWaitMs);
        QCOMPARE(window.findChild<CounterTile *>("clicksTile")->valueText(), QStringLiteral("7"));
        QTRY_COMPARE_WITH_TIMEOUT(window.eventInspector()->model()->rowCount(), 7, kWaitMs);

        window.showStream(0);
        QCOMPARE(window.clickCount(), quint64(30));
        QCOMPARE(plainText(window.findChild<CounterTile *>("clicksTile")->valueText()), QStringLiteral("30"));
        QCOMPARE(window.eventInspector()->model()->rowCount(), 30);   // its own log, not the other's
        QCOMPARE(window.lastRequest().config.url, urlOf(first, "/events"));
        QVERIFY(window.showsDashboard());

        // Disconnecting the one shown leaves the other running.
        window.disconnectFromStream();
        QTRY_COMPARE_WITH_TIMEOUT(first.subscriberCount(), 0, kWaitMs);
        QCOMPARE(second.subscriberCount(), 1);
        second.hub().publish(clicks(3, "/two"));
        QTRY_COMPARE_WITH_TIMEOUT(cell(window.streams(), 1, StreamList::ClicksColumn), QStringLiteral("10"), kWaitMs);
        QCOMPARE(cell(window.streams(), 0, StreamList::StateColumn), QStringLiteral("Disconnected"));
        QCOMPARE(window.clickCount(), quint64(30));
    }

    void theOverviewShowsEveryStreamAndTheTroubledOneStandsOut()
    {
        TestPublisher open(TestPublisher::Settings{});
        TestPublisher::Settings locked;
        locked.token = "secret";
        locked.tokenForReading = true;
        TestPublisher guarded(locked);
        QVERIFY(open.listen());
        QVERIFY(guarded.listen());
        MainWindow window;
        window.show();
        window.connectTo(requestFor(urlOf(open, "/events")));
        window.openStream(requestFor(urlOf(open, "/ws")));
        window.openStream(requestFor(urlOf(guarded, "/events")));   // 401: no token
        window.openStream(requestFor(QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(Testing::unusedPort()))));
        window.showOverview();
        QVERIFY(window.showsOverview());
        QVERIFY(window.streamOverview()->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(open.subscriberCount(), 2, kWaitMs);
        open.hub().publish(clicks(12, "/x"));

        const StreamList *streams = window.streams();
        QTRY_COMPARE_WITH_TIMEOUT(cell(streams, 0, StreamList::ClicksColumn), QStringLiteral("12"), kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(cell(streams, 1, StreamList::ClicksColumn), QStringLiteral("12"), kWaitMs);
        QCOMPARE(cell(streams, 0, StreamList::StateColumn), QStringLiteral("Open"));
        QCOMPARE(cell(streams, 0, StreamList::GapsColumn), QStringLiteral("0"));
        QCOMPARE(cell(streams, 0, StreamList::UndecodableColumn), QStringLiteral("0"));
        QVERIFY(!streams->at(0)->isInTrouble());
        const auto sparkline = streams->index(0, StreamList::RateColumn).data(StreamList::SparklineRole);
        QVERIFY(sparkline.value<QList<double>>().size() >= 2);

        // The one refused for its token says so in its row, in red.
        QTRY_VERIFY_WITH_TIMEOUT(streams->at(2)->isInTrouble(), kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(
            cell(streams, 2, StreamList::FindingColumn).contains(QStringLiteral("401"))
                || cell(streams, 2, StreamList::FindingColumn).contains(QStringLiteral("auth"), Qt::CaseInsensitive),
            kWaitMs);
        QCOMPARE(streams->index(2, StreamList::StateColumn).data(Qt::ForegroundRole).value<QColor>(),
                 streams->index(2, StreamList::FindingColumn).data(Qt::ForegroundRole).value<QColor>());
        QVERIFY(!streams->index(0, StreamList::StateColumn).data(Qt::ForegroundRole).isValid());
        // The one nobody answers retries, and counts down.
        QTRY_VERIFY_WITH_TIMEOUT(cell(streams, 3, StreamList::StateColumn).startsWith(QStringLiteral("Retrying")),
                                 kWaitMs);
        QVERIFY(streams->at(3)->isInTrouble());
        QVERIFY(!cell(streams, 3, StreamList::FindingColumn).isEmpty());

        // Enter on a row shows that stream's dashboard.
        StreamOverview *overview = window.streamOverview();
        overview->setFocus();
        overview->setCurrentIndex(streams->index(1, StreamList::NameColumn));
        QTest::keyClick(overview, Qt::Key_Return);
        QVERIFY(window.showsDashboard());
        QCOMPARE(window.currentStream(), streams->at(1));
    }

    void onTheOverviewTheActionsTakeTheSelectedLine()
    {
        MainWindow window;
        window.show();
        StreamList *streams = window.streams();
        WatchedStream *first = streams->at(0);
        WatchedStream *second = window.addStream();
        WatchedStream *third = window.addStream();
        window.showStream(0);
        window.showOverview();
        window.streamOverview()->selectRow(2);
        window.findChild<QAction *>(QStringLiteral("actionRemoveStream"))->trigger();
        QCOMPARE(streams->size(), 2);
        QCOMPARE(streams->rowOf(third), -1);
        QCOMPARE(window.currentStream(), first);   // the one on the dashboard stays
        QVERIFY(window.showsOverview());
        window.streamOverview()->selectRow(1);
        window.findChild<QAction *>(QStringLiteral("actionMoveStreamUp"))->trigger();
        QCOMPARE(streams->at(0), second);
        QCOMPARE(streams->at(1), first);
        QCOMPARE(window.streamOverview()->selectedRows(), QList<int>{0});   // the selection moved with it
        QCOMPARE(window.currentStream(), first);
    }

    void renameAndReorderKeepTheStreamShown()
    {
        MainWindow window;
        window.show();
        StreamList *streams = window.streams();
        WatchedStream *a = streams->at(0);
        WatchedStream *b = window.addStream();
        WatchedStream *c = window.addStream();
        QCOMPARE(window.currentStream(), c);
        QVERIFY(!window.showsDashboard());   // a new stream starts on the start page, to be given a URL
        QCOMPARE(streams->at(1)->name(), QStringLiteral("New stream"));

        QVERIFY(
            streams->setData(streams->index(1, StreamList::NameColumn), QStringLiteral("  staging "), Qt::EditRole));
        QCOMPARE(b->name(), QStringLiteral("staging"));
        QVERIFY(streams->setData(streams->index(1, StreamList::NameColumn), QString(), Qt::EditRole));
        QCOMPARE(b->name(), QStringLiteral("New stream"));   // back to the one made from the URL

        QVERIFY(streams->move(2, 0));
        QCOMPARE(streams->at(0), c);
        QCOMPARE(streams->at(1), a);
        QCOMPARE(streams->at(2), b);
        QCOMPARE(window.currentStream(), c);
        QVERIFY(!streams->move(0, 3));

        window.removeStream(c);
        QCOMPARE(streams->size(), 2);
        QCOMPARE(window.currentStream(), a);   // the one that took its place
        QCOMPARE(window.streamSidebar()->currentRow(), 0);
        window.removeStream(a);
        window.removeStream(b);
        QCOMPARE(streams->size(), 1);   // never none: a new, empty one
        QVERIFY(window.currentStream());
        QVERIFY(window.currentStream()->request.config.url.isEmpty());
    }

    void aWindowHoldsABoundedNumberOfStreams()
    {
        MainWindow window;
        while (window.streams()->size() < StreamList::kMaxStreams)
            QVERIFY(window.addStream());
        QVERIFY(!window.addStream());
        QCOMPARE(window.streams()->size(), StreamList::kMaxStreams);
    }

    void streamsRemovedWhileRunningLeaveNoThreadOrSocket()
    {
        TestPublisher publisher(TestPublisher::Settings{});
        QVERIFY(publisher.listen());
        MainWindow window;
        window.show();
        window.connectTo(requestFor(urlOf(publisher, "/events")));
        QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
        publisher.hub().publish(clicks(5, "/a"));
        QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(5), kWaitMs);
        const int threads = threadCount();
        const int sockets = socketCount();

        for (int round = 0; round < 3; ++round) {
            QList<WatchedStream *> added;
            for (int i = 0; i < 4; ++i)
                added.append(window.openStream(requestFor(urlOf(publisher, i % 2 ? "/ws" : "/events"))));
            QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 5, kWaitMs);
            QVERIFY(threadCount() >= threads + 4);
            publisher.hub().publish(clicks(10, "/b"));
            for (WatchedStream *stream : added)
                QTRY_VERIFY_WITH_TIMEOUT(stream->snapshot && stream->snapshot->totals.clicks == 10, kWaitMs);
            for (WatchedStream *stream : added)
                window.removeStream(stream);
            QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
            QTRY_COMPARE_WITH_TIMEOUT(threadCount(), threads, kWaitMs);
            QTRY_COMPARE_WITH_TIMEOUT(socketCount(), sockets, kWaitMs);
        }
        // The first went on through it all.
        QCOMPARE(window.streams()->size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(35), kWaitMs);
    }

private:
    static QString plainText(QString text) { return text.remove(QLocale().groupSeparator()); }
};

QTEST_MAIN(TestStreamList)
#include "tst_streamlist.moc"
