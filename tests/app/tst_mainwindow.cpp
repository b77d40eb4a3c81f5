// SPDX-License-Identifier: MIT
// The dashboard window end to end, offscreen: a real stream (the scripted server or the embedded
// publisher) through the ClickPipeline into the panels.
#include "countertile.h"
#include "counterspanel.h"
#include "eventinspector.h"
#include "mainwindow.h"
#include "rankingpanel.h"
#include "ratechartview.h"
#include "scriptedhttpserver.h"
#include "testpublisher.h"
#include "trafficgenerator.h"

#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStatusBar>
#include <QTableView>
#include <QTest>
#include <QValueAxis>

using namespace Clickscope;
using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

namespace {

constexpr int kWaitMs = 5000;

QString plainNumber(QString text)
{
    return text.remove(QLocale().groupSeparator());
}

QUrl eventsUrl(const TestPublisher &publisher)
{
    return publisher.baseUrl().resolved(QUrl(QStringLiteral("/events")));
}

// Starts `publisher`, shows `window` and connects it; true once the publisher sees the stream.
bool openOnPublisher(TestPublisher &publisher, MainWindow &window)
{
    if (!publisher.listen())
        return false;
    window.show();
    window.connectTo(eventsUrl(publisher));
    return QTest::qWaitFor([&] { return publisher.subscriberCount() == 1; }, kWaitMs);
}

// `n` clicks: a third each on /a, /b and /c.
QList<QJsonObject> clicks(int n, int offset = 0)
{
    static const char *const links[] = {"/a", "/b", "/c"};
    QList<QJsonObject> out;
    for (int i = offset; i < offset + n; ++i)
        out.append({{"link", links[i % 3]}, {"country", i % 2 ? "DE" : "US"}, {"device", "mobile"}});
    return out;
}

quint64 countOf(const RankingModel &model, const QByteArray &key)
{
    for (const RankedRow &row : model.rows()) {
        if (row.key == key)
            return row.count;
    }
    return 0;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void typedUrlConnectsAndCountsEvents();
    void badUrlIsRefusedWithAMessage();
    void httpErrorIsShown();
    void disconnectButtonCloses();
    void publisherWithTrafficFeedsTheWindow();
    void tilesAndTopLinksReachPublishedTotals();
    void chartShowsTheRate();
    void pausedInspectorLosesNothing();
    void niceYMaxHasHeadroom();
};

void TestMainWindow::typedUrlConnectsAndCountsEvents()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    QByteArray body;
    for (int i = 0; i < 1500; ++i)
        body += "id: " + QByteArray::number(i) + "\nevent: click\ndata: {\"n\":" + QByteArray::number(i) + "}\n\n";
    server.route("/s", Response::sse(": hi\n\n" + body).keepOpen());

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *urlEdit = window.findChild<QLineEdit *>("urlEdit");
    QTest::keyClicks(urlEdit, server.url(QStringLiteral("/s")).toString());
    QTest::keyClick(urlEdit, Qt::Key_Return);

    QTRY_COMPARE_WITH_TIMEOUT(window.eventCount(), quint64(1500), kWaitMs);
    QVERIFY(window.isConnected());
    auto *events = window.findChild<CounterTile *>("eventsTile");
    QVERIFY(events);
    QTRY_COMPARE_WITH_TIMEOUT(plainNumber(events->valueText()), QStringLiteral("1500"), kWaitMs);

    // The inspector holds the newest; every event is shown or accounted for as not kept.
    const EventLogModel *log = window.eventInspector()->model();
    QVERIFY(log->rowCount() > 0);
    QCOMPARE(log->fullData(log->rowCount() - 1), QByteArray("{\"n\":1499}"));
    QCOMPARE(quint64(log->rowCount()) + log->evicted() + log->notShownUpstream(), quint64(1500));

    QCOMPARE(window.findChild<QPushButton *>("connectButton")->text(), QStringLiteral("&Disconnect"));
    QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().startsWith(QStringLiteral("Open")), kWaitMs);
}

void TestMainWindow::badUrlIsRefusedWithAMessage()
{
    MainWindow window;
    window.show();
    auto *urlEdit = window.findChild<QLineEdit *>("urlEdit");
    QTest::keyClicks(urlEdit, QStringLiteral("ftp://example.com/feed"));
    QTest::mouseClick(window.findChild<QPushButton *>("connectButton"), Qt::LeftButton);
    auto *message = window.findChild<QLabel *>("messageLabel");
    QVERIFY(message->isVisible());
    QVERIFY2(message->text().contains(QStringLiteral("unsupported scheme")), qPrintable(message->text()));
    QVERIFY(!window.isConnected());
    QCOMPARE(window.findChild<QPushButton *>("connectButton")->text(), QStringLiteral("&Connect"));

    // Nothing arrives later either.
    QTest::qWait(200);
    QVERIFY(!window.isConnected());
    QCOMPARE(window.eventCount(), quint64(0));
}

void TestMainWindow::httpErrorIsShown()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    MainWindow window;
    window.show();
    window.connectTo(server.url(QStringLiteral("/nothing-here")));
    auto *message = window.findChild<QLabel *>("messageLabel");
    QTRY_VERIFY_WITH_TIMEOUT(message->isVisible(), kWaitMs);
    QVERIFY2(message->text().contains(QStringLiteral("404")), qPrintable(message->text()));
    QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().startsWith(QStringLiteral("Closed")), kWaitMs);
    QVERIFY2(window.statusBar()->currentMessage().contains(QStringLiteral("404")),
             qPrintable(window.statusBar()->currentMessage()));
    QCOMPARE(window.findChild<QPushButton *>("connectButton")->text(), QStringLiteral("&Connect"));
    QVERIFY(!window.isConnected());
}

void TestMainWindow::disconnectButtonCloses()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse("data: x\n\n").keepOpen());
    MainWindow window;
    window.show();
    window.connectTo(server.url(QStringLiteral("/s")));
    QTRY_COMPARE_WITH_TIMEOUT(window.eventCount(), quint64(1), kWaitMs);
    QVERIFY(window.isConnected());
    QTest::mouseClick(window.findChild<QPushButton *>("connectButton"), Qt::LeftButton);
    QVERIFY(!window.isConnected());
    QCOMPARE(window.findChild<QPushButton *>("connectButton")->text(), QStringLiteral("&Connect"));
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Disconnected"));
    // The worker's late "closed" does not overwrite it, and the count stays.
    QTest::qWait(200);
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Disconnected"));
    QCOMPARE(window.eventCount(), quint64(1));
}

void TestMainWindow::publisherWithTrafficFeedsTheWindow()
{
    // What --demo composes: the embedded publisher fed by synthetic traffic.
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    TrafficGenerator::Settings settings;
    settings.clicksPerSecond = 200;
    TrafficGenerator traffic(settings);
    connect(&traffic, &TrafficGenerator::clicksGenerated, &publisher,
            [&](const QList<QJsonObject> &clicks) { publisher.hub().publish(clicks); });
    traffic.start();
    MainWindow window;
    window.show();
    window.connectTo(eventsUrl(publisher));
    QTRY_VERIFY_WITH_TIMEOUT(window.clickCount() >= 20, kWaitMs);
    QCOMPARE(publisher.subscriberCount(), 1);
    QVERIFY(window.eventInspector()->model()->rowCount() > 0);
    QVERIFY(window.rankingPanel()->topLinksModel()->rowCount() > 0);
}

void TestMainWindow::tilesAndTopLinksReachPublishedTotals()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    publisher.hub().publish(clicks(400));
    publisher.hub().publish(clicks(200, 400));

    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(600), kWaitMs);
    auto *clicksTile = window.findChild<CounterTile *>("clicksTile");
    QVERIFY(clicksTile);
    QCOMPARE(plainNumber(clicksTile->valueText()), QStringLiteral("600"));
    QCOMPARE(window.findChild<CounterTile *>("linksTile")->valueText(), QStringLiteral("3"));
    QCOMPARE(window.findChild<CounterTile *>("undecodableTile")->valueText(), QStringLiteral("0"));
    QCOMPARE(window.findChild<CounterTile *>("gapsTile")->valueText(), QStringLiteral("0"));

    RankingPanel *ranking = window.rankingPanel();
    const TopLinksModel *links = ranking->topLinksModel();
    QCOMPARE(links->rowCount(), 3);
    QCOMPARE(countOf(*links, "/a"), quint64(200));
    QCOMPARE(countOf(*links, "/b"), quint64(200));
    QCOMPARE(countOf(*links, "/c"), quint64(200));
    QCOMPARE(countOf(*ranking->breakdownModel(DashboardSnapshot::Country), "DE"), quint64(300));

    // The table shows them through the filter.
    auto *view = window.findChild<QTableView *>("topLinksView");
    QVERIFY(view);
    QCOMPARE(view->model()->rowCount(), 3);
    QTest::keyClicks(window.findChild<QLineEdit *>("linkFilterEdit"), QStringLiteral("/B"));
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, RankingModel::KeyColumn).data().toString(), QStringLiteral("/b"));
    QCOMPARE(view->model()->index(0, RankingModel::CountColumn).data(RankingModel::RawValueRole).toULongLong(),
             quint64(200));
}

void TestMainWindow::chartShowsTheRate()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    publisher.hub().publish(clicks(500));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(500), kWaitMs);

    RateChartView *chart = window.rateChart();
    const QList<QPointF> points = chart->series()->points();
    QCOMPARE(points.size(), RateChartView::kWindowSeconds);
    QCOMPARE(points.first().x(), double(1 - RateChartView::kWindowSeconds));
    QCOMPARE(points.last().x(), 0.0);
    double sum = 0;
    double max = 0;
    for (const QPointF &p : points) {
        sum += p.y();
        max = std::max(max, p.y());
    }
    QCOMPARE(sum, 500.0);                 // every click is in the window, once
    QVERIFY2(max >= 250, qPrintable(QString::number(max)));   // one burst: at most two seconds
    QCOMPARE(chart->rates().maxValue(), max);
    QVERIFY(chart->axisY()->max() >= max);
    QVERIFY(chart->axisY()->max() <= 2.5 * max);
    QCOMPARE(chart->axisX()->min(), -double(RateChartView::kWindowSeconds));
    QCOMPARE(chart->axisX()->max(), 0.0);
    QVERIFY(chart->renderHints().testFlag(QPainter::Antialiasing));
}

void TestMainWindow::pausedInspectorLosesNothing()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    const EventLogModel *log = window.eventInspector()->model();

    publisher.hub().publish(clicks(30));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(30), kWaitMs);
    const int rowsBefore = log->rowCount();
    QVERIFY(rowsBefore >= 30);
    const quint64 eventsBefore = window.eventCount();

    auto *pause = window.findChild<QPushButton *>("pauseButton");
    QVERIFY(pause);
    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(window.eventInspector()->isPaused());
    QCOMPARE(pause->text(), QStringLiteral("&Resume"));

    publisher.hub().publish(clicks(70, 30));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(100), kWaitMs);
    const quint64 arrived = window.eventCount() - eventsBefore;
    QCOMPARE(log->rowCount(), rowsBefore);   // the table stands still
    QCOMPARE(quint64(log->pendingCount()), arrived);

    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(!window.eventInspector()->isPaused());
    QCOMPARE(pause->text(), QStringLiteral("&Pause"));
    QCOMPARE(quint64(log->rowCount()), quint64(rowsBefore) + arrived);
    QCOMPARE(log->evicted(), quint64(0));
    QCOMPARE(log->notShownUpstream(), quint64(0));

    // Selecting the newest shows its data pretty-printed.
    auto *view = window.findChild<QTableView *>("eventView");
    view->setCurrentIndex(view->model()->index(log->rowCount() - 1, 0));
    const QString shown = window.findChild<QPlainTextEdit *>("eventDataView")->toPlainText();
    QVERIFY2(shown.contains(QStringLiteral("\n    \"link\": \"/a\"")), qPrintable(shown));   // click 99: /a
}

void TestMainWindow::niceYMaxHasHeadroom()
{
    QCOMPARE(RateChartView::niceYMax(0), 10.0);
    QCOMPARE(RateChartView::niceYMax(8), 10.0);
    QCOMPARE(RateChartView::niceYMax(9), 20.0);
    QCOMPARE(RateChartView::niceYMax(40), 50.0);
    QCOMPARE(RateChartView::niceYMax(500), 1000.0);
    QCOMPARE(EventInspector::prettyData("not json"), QStringLiteral("not json"));
    QCOMPARE(EventInspector::prettyData("{\"a\":1}"), QStringLiteral("{\n    \"a\": 1\n}\n"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
