// SPDX-License-Identifier: MIT
// The compare window, offscreen, on real publishers: opened from the main window on its stream,
// it pairs the publisher's SSE and WebSocket feeds, and lists the links two publishers disagree on.
#include "app/comparewindow.h"
#include "app/mainwindow.h"
#include "app/streamoverview.h"
#include "server/syntheticpublisher.h"
#include "server/testpublisher.h"

#include <QItemSelectionModel>
#include <QLabel>
#include <QLineSeries>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>

#include <array>
#include <memory>

using namespace Clickscope;

namespace {

constexpr int kWaitMs = 15'000;

QUrl urlOf(const TestPublisher &publisher, const QString &path) { return publisher.baseUrl().resolved(QUrl(path)); }

}   // namespace

class TestCompareWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void comparesTheTwoTransportsOfOnePublisher();
    void linksThatDifferAreListed();
    void twoStreamsPickedInTheOverviewAreComparedEachWithItsOwnHeaders();
    void publishersWithDifferentSeedsDifferAndTheLinksAreNamed();
    void aBadUrlIsShownNotCompared();
};

void TestCompareWindow::initTestCase()
{
    // No saved window state or recent streams of a real user.
    QStandardPaths::setTestModeEnabled(true);
}

void TestCompareWindow::comparesTheTwoTransportsOfOnePublisher()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    MainWindow window;
    window.connectTo(urlOf(publisher, "/events"));
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);

    CompareWindow *compare = window.openCompareWindow();
    QVERIFY(compare->isVisible());
    QCOMPARE(compare->urlText(0), urlOf(publisher, "/events").toString());
    QUrl ws = urlOf(publisher, "/ws");
    ws.setScheme(QStringLiteral("ws"));
    QCOMPARE(compare->urlText(1), ws.toString());   // the same clicks over the other transport
    compare->compare();
    QVERIFY(compare->isComparing());
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 3, kWaitMs);   // the dashboard's and both compared

    QList<QJsonObject> clicks;
    for (int i = 0; i < 50; ++i)
        clicks.append({{"link", "/same"}});
    publisher.hub().publish(clicks);
    QTRY_VERIFY_WITH_TIMEOUT(compare->tileText("Clicks [1]") == "50" && compare->tileText("Clicks [2]") == "50"
                                 && compare->detailText().startsWith("50 clicks paired"),
                             kWaitMs);
    QCOMPARE(compare->tileText("Difference"), QStringLiteral("0"));
    QCOMPARE(compare->tileText("Missing in [2]"), QStringLiteral("0"));
    QCOMPARE(compare->tileText("Missing in [1]"), QStringLiteral("0"));
    QVERIFY(compare->tileText("Lag of [2]").endsWith(" ms"));
    QCOMPARE(compare->linkTable()->rowCount(), 0);
    // Both series chart the clicks once their second is over.
    const auto charted = [compare](int side) {
        double sum = 0;
        for (const QPointF &p : compare->series(side)->points())
            sum += p.y();
        return sum;
    };
    QTRY_VERIFY_WITH_TIMEOUT(charted(0) == 50.0 && charted(1) == 50.0, kWaitMs);
    QCOMPARE(compare->series(0)->count(), ComparisonPipeline::kSeriesSeconds);
    QCOMPARE(compare->series(1)->count(), ComparisonPipeline::kSeriesSeconds);

    // Opened again while it compares, it keeps what it compares.
    QCOMPARE(window.openCompareWindow(), compare);
    QVERIFY(compare->isComparing());
    compare->stop();
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
}

void TestCompareWindow::twoStreamsPickedInTheOverviewAreComparedEachWithItsOwnHeaders()
{
    // Two publishers, each reading only with its own token: a token sent to the other is refused.
    std::array<std::unique_ptr<TestPublisher>, 2> publishers;
    std::array<StreamRequest, 2> requests;
    MainWindow window;
    window.show();
    for (std::size_t i = 0; i < 2; ++i) {
        TestPublisher::Settings settings;
        settings.token = QByteArray("token-") + QByteArray::number(qulonglong(i));
        settings.tokenForReading = true;
        publishers[i] = std::make_unique<TestPublisher>(settings);
        QVERIFY(publishers[i]->listen());
        requests[i].config.url = urlOf(*publishers[i], "/events");
        requests[i].config.headers = {{"Authorization", "Bearer " + settings.token}};
    }
    window.connectTo(requests[0]);
    window.openStream(requests[1]);
    window.openStream(requests[0]);   // a third, not picked
    for (const auto &publisher : publishers)
        QTRY_VERIFY_WITH_TIMEOUT(publisher->subscriberCount() >= 1, kWaitMs);
    window.showOverview();
    QItemSelectionModel *selection = window.streamOverview()->selectionModel();
    selection->select(window.streams()->index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    selection->select(window.streams()->index(1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);

    CompareWindow *compare = window.openCompareWindow();
    QVERIFY(compare->isComparing());   // at once: the two were picked
    QCOMPARE(compare->urlText(0), requests[0].config.url.toString());
    QCOMPARE(compare->urlText(1), requests[1].config.url.toString());
    QTRY_COMPARE_WITH_TIMEOUT(publishers[0]->subscriberCount(), 3, kWaitMs);   // two streams and [1]
    QTRY_COMPARE_WITH_TIMEOUT(publishers[1]->subscriberCount(), 2, kWaitMs);   // one stream and [2]
    QList<QJsonObject> clicks;
    for (int i = 0; i < 20; ++i)
        clicks.append({{"link", "/same"}});
    for (const auto &publisher : publishers)
        publisher->hub().publish(clicks);
    QTRY_VERIFY_WITH_TIMEOUT(compare->tileText("Clicks [1]") == "20" && compare->tileText("Clicks [2]") == "20",
                             kWaitMs);
    QCOMPARE(compare->tileText("Missing in [2]"), QStringLiteral("0"));
    QCOMPARE(compare->tileText("Missing in [1]"), QStringLiteral("0"));
    compare->stop();
}

void TestCompareWindow::publishersWithDifferentSeedsDifferAndTheLinksAreNamed()
{
    // The same rate and the same ids, 1, 2, 3 …, but other clicks: the ids pair up, the links do not.
    std::array<std::unique_ptr<SyntheticPublisher>, 2> publishers;
    for (std::size_t i = 0; i < 2; ++i) {
        SyntheticPublisher::Settings settings;
        settings.traffic.clicksPerSecond = 200;
        settings.traffic.links = 5;
        settings.traffic.seed = quint32(i + 1);
        settings.traffic.wobble = false;
        publishers[i] = std::make_unique<SyntheticPublisher>(settings);
        QVERIFY(publishers[i]->start());
    }
    CompareWindow compare;
    StreamRequest request;
    request.config.url = urlOf(publishers[0]->publisher(), "/events");
    compare.setFirst(request);
    compare.setSecondUrl(urlOf(publishers[1]->publisher(), "/events").toString());
    compare.show();
    compare.compare();
    QTRY_VERIFY_WITH_TIMEOUT(compare.linkTable()->rowCount() >= 2, kWaitMs);
    // Each row names a link and by how much the two differ on it.
    for (int row = 0; row < compare.linkTable()->rowCount(); ++row) {
        QVERIFY(compare.linkTable()->item(row, 0)->text().startsWith(u'/'));
        QVERIFY(compare.linkTable()->item(row, 3)->text() != QStringLiteral("0"));
    }
    compare.stop();
}

void TestCompareWindow::linksThatDifferAreListed()
{
    TestPublisher first(TestPublisher::Settings{});
    TestPublisher second(TestPublisher::Settings{});
    QVERIFY(first.listen());
    QVERIFY(second.listen());
    CompareWindow compare;
    StreamRequest request;
    request.config.url = urlOf(first, "/events");
    compare.setFirst(request);
    compare.setSecondUrl(urlOf(second, "/events").toString());
    compare.show();
    compare.compare();
    QTRY_VERIFY_WITH_TIMEOUT(first.subscriberCount() == 1 && second.subscriberCount() == 1, kWaitMs);
    // One click both deliver, so that each has begun before the ones that differ.
    for (TestPublisher *publisher : {&first, &second})
        publisher->hub().publish({QJsonObject{{"link", "/a"}}});
    QTRY_VERIFY_WITH_TIMEOUT(compare.detailText().startsWith("1 clicks paired"), kWaitMs);
    first.hub().publish({QJsonObject{{"link", "/a"}}, QJsonObject{{"link", "/b"}}});
    QTRY_VERIFY_WITH_TIMEOUT(compare.tileText("Clicks [1]") == "3" && compare.tileText("Clicks [2]") == "1", kWaitMs);
    QCOMPARE(compare.tileText("Difference"), QStringLiteral("+2"));
    QTableWidget *links = compare.linkTable();
    QCOMPARE(links->rowCount(), 2);
    QCOMPARE(links->item(0, 0)->text(), QStringLiteral("/a"));
    QCOMPARE(links->item(0, 3)->text(), QStringLiteral("+1"));
    QCOMPARE(links->item(1, 0)->text(), QStringLiteral("/b"));
    QCOMPARE(links->item(1, 1)->text(), QStringLiteral("1"));
    QCOMPARE(links->item(1, 2)->text(), QStringLiteral("0"));
}

void TestCompareWindow::aBadUrlIsShownNotCompared()
{
    CompareWindow compare;
    compare.setSecondUrl(QStringLiteral("http://127.0.0.1:1/events"));
    compare.compare();   // [1] is empty
    QVERIFY(!compare.isComparing());
    QVERIFY2(compare.messageLabel()->text().startsWith("[1] "), qPrintable(compare.messageLabel()->text()));
    StreamRequest request;
    request.config.url = QUrl(QStringLiteral("http://127.0.0.1:1/events"));
    compare.setFirst(request);
    compare.setSecondUrl(QStringLiteral("ftp://127.0.0.1/x"));
    compare.compare();
    QVERIFY(!compare.isComparing());
    QVERIFY2(compare.messageLabel()->text().startsWith("[2] "), qPrintable(compare.messageLabel()->text()));
}

QTEST_MAIN(TestCompareWindow)
#include "tst_comparewindow.moc"
