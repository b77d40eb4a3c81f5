// SPDX-License-Identifier: MIT
// The dashboard window end to end, offscreen: a real stream (the scripted server or the embedded
// publisher) through the ClickPipeline into the panels.
#include "app/connectionpanel.h"
#include "app/counterspanel.h"
#include "app/countertile.h"
#include "app/eventinspector.h"
#include "app/mainwindow.h"
#include "app/publisherpanel.h"
#include "app/rankingpanel.h"
#include "app/ratechartview.h"
#include "app/sharechartview.h"
#include "app/sharepanel.h"
#include "app/streamstatus.h"
#include "server/demoserver.h"
#include "server/syntheticpublisher.h"
#include "server/testpublisher.h"
#include "server/trafficgenerator.h"
#include "support/eventcollector.h"
#include "support/natsserver.h"
#include "support/ports.h"
#include "support/scriptedhttpserver.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScatterSeries>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QValueAxis>

using namespace Clickscope;
using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

namespace {

constexpr int kWaitMs = 5000;

QString plainNumber(QString text) { return text.remove(QLocale().groupSeparator()); }

QUrl eventsUrl(const TestPublisher &publisher) { return publisher.baseUrl().resolved(QUrl(QStringLiteral("/events"))); }

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

// The visible text items of a chart's scene that `accepts`, with their texts in `texts`: the axis
// labels as the chart draws them.
template<typename Accepts>
QList<QRectF> labelRects(const QGraphicsScene *scene, Accepts accepts, QStringList *texts)
{
    QList<QRectF> rects;
    texts->clear();
    for (QGraphicsItem *item : scene->items()) {
        auto *text = dynamic_cast<QGraphicsTextItem *>(item);
        if (text && text->isVisible() && accepts(text->toPlainText())) {
            rects << text->sceneBoundingRect();
            *texts << text->toPlainText();
        }
    }
    return rects;
}

// No two of `rects` touch: a gap of a few pixels between every pair.
bool apart(const QList<QRectF> &rects)
{
    for (qsizetype i = 0; i < rects.size(); ++i) {
        for (qsizetype j = i + 1; j < rects.size(); ++j) {
            if (rects[i].adjusted(-3, 0, 3, 0).intersects(rects[j]))
                return false;
        }
    }
    return true;
}

quint64 countOf(const RankingModel &model, const QByteArray &key)
{
    for (const RankedRow &row : model.rows()) {
        if (row.key == key)
            return row.count;
    }
    return 0;
}

}   // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void typedUrlConnectsAndCountsEvents();
    void badUrlIsRefusedWithAMessage();
    void httpErrorIsShown();
    void badUrlKeepsWhatWasTyped();
    void aMessageDoesNotMoveTheDashboard();
    void aNewStreamStartsFromZeroTheSameOneCarriesOn();
    void resetClearsEveryView();
    void theRateFallsToZeroWhenNothingArrives();
    void theEndOfAStreamSaysWhy();
    void aSilentServerShowsTheWaitAndTimesOut();
    void actionsThatCannotApplyAreDisabled();
    void afterConnectingSpacePausesAndTheStatusSaysSo();
    void aCommandLineThemeIsNotSaved();
    void tilesAreReadableAt1024x700();
    void aSnapshotStreamShowsItsLink();
    void theSelectedEventStaysInView();
    void theDemoRateIsAnAverageOrFlat();
    void eventsThatAreNotClicksAreShownByType();
    void gapsAreLocated();
    void repeatedIdsShowBesideGaps();
    void shareChartTicksDoNotOverlap();
    void shareChartBarLabelsStayInTheChart();
    void rateChartTicksDoNotOverlap();
    void disconnectButtonCloses();
    void publisherWithTrafficFeedsTheWindow();
    void tilesAndTopLinksReachPublishedTotals();
    void chartShowsTheRate();
    void linksTileCountsBeyondTheRanking();
    void pausedInspectorLosesNothing();
    void niceYMaxHasHeadroom();
    void startsOnTheWelcomePage();
    void deadUrlShowsRetryingAndKeepsData();
    void restartedServerContinuesTheCharts();
    void exportWritesValidFiles();
    void exportWithoutDataIsRefused();
    void demoShowsDataAndTakesHandPublishedClicks();
    void longChartWindowsAreAveraged();
    void pausedDisplayFreezesAndCatchesUp();
    void resetAndReconnect();
    void credentialsStayWithTheirServer();
    void theXrayExplainsARefusedStream();
    void aServersWordsAreNeverMarkup();
    void aBusStreamsAttemptIsShownOpened();
    void recentStreamsKeepTheRequest();
    void aRecentStreamAsksForItsCredentialsAgain();
    void shareChartFollowsTheRanking();
    void shortcutsReachTheirActions();
    void settingsAreRestored();
    void darkThemeRecoloursCharts();
    void aboutNamesVersionsAndLicences();
};

void TestMainWindow::initTestCase()
{
    // Settings go to a test location, never to the user's.
    QStandardPaths::setTestModeEnabled(true);
}

void TestMainWindow::init() { QSettings().clear(); }

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
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Open")), kWaitMs);
}

void TestMainWindow::badUrlIsRefusedWithAMessage()
{
    MainWindow window;
    window.show();
    auto *urlEdit = window.findChild<QLineEdit *>("urlEdit");
    QTest::keyClicks(urlEdit, QStringLiteral("ftp://example.com/feed"));
    QTest::mouseClick(window.findChild<QPushButton *>("connectButton"), Qt::LeftButton);
    auto *message = window.findChild<QLabel *>("messageLabel");
    QVERIFY2(message->text().contains(QStringLiteral("unknown scheme 'ftp'")), qPrintable(message->text()));
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
    QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(QStringLiteral("404")), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Closed")), kWaitMs);
    QVERIFY2(window.streamStatus()->stateText().contains(QStringLiteral("404")),
             qPrintable(window.streamStatus()->stateText()));
    QCOMPARE(window.findChild<QPushButton *>("connectButton")->text(), QStringLiteral("&Connect"));
    QVERIFY(!window.isConnected());
}

void TestMainWindow::badUrlKeepsWhatWasTyped()
{
    MainWindow window;
    window.show();
    auto *urlEdit = window.findChild<QLineEdit *>("urlEdit");
    const QString typed = QStringLiteral("htp://127.0.0.1:abc/events");
    QTest::keyClicks(urlEdit, typed);
    QTest::keyClick(urlEdit, Qt::Key_Return);
    QCOMPARE(urlEdit->text(), typed);
    QCOMPARE(urlEdit->selectedText(), QStringLiteral("htp"));
    const QString message = window.findChild<QLabel *>("messageLabel")->text();
    QVERIFY2(message.contains(QStringLiteral("did you mean http?"))
                 && message.contains(QStringLiteral("the port 'abc' is not a number")),
             qPrintable(message));
    QVERIFY(!window.isConnected());
}

void TestMainWindow::aMessageDoesNotMoveTheDashboard()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse("data: x\n\n").keepOpen());
    MainWindow window;
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.connectTo(server.url(QStringLiteral("/s")));
    QTRY_COMPARE_WITH_TIMEOUT(window.eventCount(), quint64(1), kWaitMs);
    auto *pages = window.findChild<QWidget *>("pages");
    const QRect before = pages->geometry();
    window.connectTo(server.url(QStringLiteral("/gone")));   // 404, with a long message
    auto *message = window.findChild<QLabel *>("messageLabel");
    QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(QStringLiteral("404")), kWaitMs);
    QCoreApplication::processEvents();   // let a layout that would move do so
    QCOMPARE(pages->geometry(), before);
}

void TestMainWindow::aNewStreamStartsFromZeroTheSameOneCarriesOn()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/a", Response::sse("data: a1\n\ndata: a2\n\ndata: a3\n\n").keepOpen());
    server.route("/b", Response::sse("data: b1\n\ndata: b2\n\n").keepOpen());
    MainWindow window;
    window.show();
    window.connectTo(server.url(QStringLiteral("/a")));
    QTRY_COMPARE_WITH_TIMEOUT(window.eventCount(), quint64(3), kWaitMs);

    // One Enter on another URL while connected switches to it, from zero.
    auto *urlEdit = window.findChild<QLineEdit *>("urlEdit");
    urlEdit->setText(server.url(QStringLiteral("/b")).toString());
    QTest::keyClick(urlEdit, Qt::Key_Return);
    QVERIFY(window.isConnected());
    QCOMPARE(window.lastRequest().config.url, server.url(QStringLiteral("/b")));
    QTRY_COMPARE_WITH_TIMEOUT(window.eventCount(), quint64(2), kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(window.eventInspector()->model()->rowCount(), 2, kWaitMs);
    QCOMPARE(window.eventInspector()->model()->fullData(0), QByteArray("b1"));

    // The same stream again is a reconnection: its totals carry on.
    QVERIFY(window.reconnect());
    QTRY_COMPARE_WITH_TIMEOUT(window.eventCount(), quint64(4), kWaitMs);
}

void TestMainWindow::resetClearsEveryView()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    publisher.hub().publish(clicks(30));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(30), kWaitMs);
    ShareChartView *share = window.sharePanel()->chart();
    QTRY_VERIFY_WITH_TIMEOUT(!share->labels().isEmpty(), kWaitMs);
    // The visible axis text of the share chart, as the scene holds it.
    const auto chartTexts = [share] {
        QStringList texts;
        for (QGraphicsItem *item : share->scene()->items()) {
            if (auto *text = dynamic_cast<QGraphicsTextItem *>(item); text && text->isVisible())
                texts << text->toPlainText();
        }
        return texts.join(u'|');
    };
    QTRY_VERIFY_WITH_TIMEOUT(chartTexts().contains(QStringLiteral("/a")), kWaitMs);
    auto *view = window.findChild<QTableView *>("eventView");
    view->selectRow(0);
    QVERIFY(!window.eventInspector()->detailText().isEmpty());
    QVERIFY(window.eventInspector()->statusText().startsWith(QStringLiteral("30 events")));

    window.resetStatistics();
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(0), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(share->labels().isEmpty(), kWaitMs);
    QTRY_VERIFY2_WITH_TIMEOUT(!chartTexts().contains(QStringLiteral("/a")), qPrintable(chartTexts()), kWaitMs);
    QCOMPARE(window.eventInspector()->detailText(), QString());
    QCOMPARE(window.eventInspector()->statusText(), QStringLiteral("0 events"));
}

void TestMainWindow::theRateFallsToZeroWhenNothingArrives()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    publisher.hub().publish(clicks(60));
    auto *rate = window.findChild<CounterTile *>("rateTile");
    QTRY_VERIFY_WITH_TIMEOUT(rate->valueText() != QStringLiteral("0"), kWaitMs);
    // Nothing more arrives, and then the stream is gone: a few quiet seconds show 0, not the
    // long tail of the smoothing. (The bound is generous: the rate is read once a second.)
    window.disconnectFromStream();
    QTRY_COMPARE_WITH_TIMEOUT(rate->valueText(), QStringLiteral("0"), (RateMeter::kQuietSecondsToZero + 3) * 1000);
    QCOMPARE(window.findChild<CounterTile *>("clicksTile")->valueText(), QStringLiteral("60"));
}

void TestMainWindow::theEndOfAStreamSaysWhy()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/empty", Response::status(204));
    server.route("/llm", Response::sse("data: {\"token\":\"hi\"}\n\ndata: [DONE]\n\n").keepOpen());
    MainWindow window;
    window.show();
    window.connectTo(server.url(QStringLiteral("/empty")));
    QTRY_COMPARE_WITH_TIMEOUT(window.streamStatus()->stateText(),
                              QStringLiteral("Closed: the server ended the stream with 204 No Content"), kWaitMs);
    StreamRequest request;
    request.config.url = server.url(QStringLiteral("/llm"));
    request.config.doneMarker = QByteArray("[DONE]");
    window.connectTo(request);
    QTRY_COMPARE_WITH_TIMEOUT(window.streamStatus()->stateText(), QStringLiteral("Closed: end marker [DONE] received"),
                              kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(window.eventCount(), quint64(1), kWaitMs);
    // The next stream starts without the last one's reason: an error says only its own.
    window.connectTo(server.url(QStringLiteral("/missing")));
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().contains(QStringLiteral("404")), kWaitMs);
    QVERIFY2(!window.streamStatus()->stateText().contains(QStringLiteral("[DONE]")),
             qPrintable(window.streamStatus()->stateText()));
}

void TestMainWindow::aSilentServerShowsTheWaitAndTimesOut()
{
    QTcpServer silent;   // the kernel accepts; nobody ever answers
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    StreamRequest request;
    request.config.url = QUrl(QStringLiteral("http://127.0.0.1:%1/s").arg(silent.serverPort()));
    request.config.connectTimeoutMs = 2000;
    MainWindow window;
    window.show();
    window.connectTo(request);
    QTRY_VERIFY2_WITH_TIMEOUT(window.streamStatus()->stateText().endsWith(QStringLiteral("… 1 s (times out at 2 s)")),
                              qPrintable(window.streamStatus()->stateText()), kWaitMs);
    QTRY_VERIFY2_WITH_TIMEOUT(
        window.streamStatus()->stateText().startsWith(QStringLiteral("Retrying in"))
            && window.streamStatus()->stateText().contains(QStringLiteral("no response within 2 s")),
        qPrintable(window.streamStatus()->stateText()), kWaitMs);
}

void TestMainWindow::actionsThatCannotApplyAreDisabled()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse("data: x\n\n").keepOpen());
    MainWindow window;
    window.show();
    auto *reconnect = window.findChild<QAction *>("actionReconnect");
    auto *reset = window.findChild<QAction *>("actionReset");
    auto *exportAction = window.findChild<QAction *>("actionExport");
    QVERIFY(!reconnect->isEnabled() && !reset->isEnabled() && !exportAction->isEnabled());
    // Asked anyway (from code), it says why nothing happens.
    QVERIFY(!window.reconnect());
    QVERIFY2(window.findChild<QLabel *>("messageLabel")->text().contains(QStringLiteral("Nothing to reconnect to")),
             qPrintable(window.findChild<QLabel *>("messageLabel")->text()));

    window.connectTo(server.url(QStringLiteral("/s")));
    QVERIFY(reconnect->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(window.eventCount(), quint64(1), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(reset->isEnabled() && exportAction->isEnabled(), kWaitMs);
    window.resetStatistics();
    QTRY_VERIFY_WITH_TIMEOUT(!reset->isEnabled() && !exportAction->isEnabled(), kWaitMs);
    QVERIFY(reconnect->isEnabled());
}

void TestMainWindow::afterConnectingSpacePausesAndTheStatusSaysSo()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    auto *urlEdit = window.findChild<QLineEdit *>("urlEdit");
    urlEdit->setFocus();
    QTest::keyClicks(urlEdit, eventsUrl(publisher).toString());
    QTest::keyClick(urlEdit, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
    QVERIFY(!urlEdit->hasFocus());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
    QVERIFY(window.isDisplayPaused());
    QCOMPARE(window.streamStatus()->pausedText(), QStringLiteral("Paused: 0 events waiting"));
    publisher.hub().publish(clicks(5));
    QTRY_COMPARE_WITH_TIMEOUT(window.streamStatus()->pausedText(), QStringLiteral("Paused: 5 events waiting"), kWaitMs);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
    QVERIFY(!window.isDisplayPaused());
    QCOMPARE(window.streamStatus()->pausedText(), QString());
}

void TestMainWindow::aCommandLineThemeIsNotSaved()
{
    {
        MainWindow window;
        window.setTheme(ThemeSwitcher::Theme::Light);   // as chosen in View ▸ Theme
        window.close();
    }
    {
        MainWindow window;
        QCOMPARE(window.theme(), ThemeSwitcher::Theme::Light);
        window.setThemeForThisRun(ThemeSwitcher::Theme::Dark);   // --theme dark
        QCOMPARE(window.theme(), ThemeSwitcher::Theme::Dark);
        window.close();
    }
    MainWindow window;
    QCOMPARE(window.theme(), ThemeSwitcher::Theme::Light);
}

void TestMainWindow::tilesAreReadableAt1024x700()
{
    // The demo with its Publisher panel, on the smallest screen we support: every tile's title
    // and value are whole, measured with the fonts they are drawn in.
    MainWindow window;
    QVERIFY(window.startDemo());
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.clickCount() > 0, kWaitMs);
    QVERIFY2(window.minimumSizeHint().width() <= 1024, qPrintable(QString::number(window.minimumSizeHint().width())));
    QCOMPARE(window.width(), 1024);
    QVERIFY(window.countersPanel()->columnCount() < 9);
    const QList<CounterTile *> tiles = window.countersPanel()->findChildren<CounterTile *>();
    QCOMPARE(tiles.size(), 9);
    for (const CounterTile *tile : tiles) {
        for (const char *part : {"tileTitle", "tileValue"}) {
            const auto *label = tile->findChild<QLabel *>(QLatin1String(part));
            const int needed = label->fontMetrics().horizontalAdvance(label->text());
            QVERIFY2(label->contentsRect().width() >= needed, qPrintable(QStringLiteral("%1 '%2': %3 px for %4")
                                                                             .arg(tile->objectName(), label->text())
                                                                             .arg(label->contentsRect().width())
                                                                             .arg(needed)));
        }
    }
    // Values that grow (a long run, slow clicks) widen their tiles: the rows follow.
    const int columnsBefore = window.countersPanel()->columnCount();
    DashboardSnapshot big;
    big.totals.clicks = big.totals.events = 123'456'789'012;
    big.totals.undecodable = big.totals.discarded = 9'876'543;
    big.totals.gaps = big.totals.reconnects = 1'234'567;
    big.distinctLinks = 100'000;
    big.rateNow = 123'456;
    big.ratePeak = 654'321;
    big.latencyCount = 1;
    big.latencyP50 = 12'345;
    big.latencyP99 = 67'890;
    window.setDisplayPaused(true);   // what the stream sends must not overwrite these
    window.countersPanel()->applySnapshot(big);
    QCoreApplication::processEvents();
    QVERIFY(window.countersPanel()->columnCount() <= columnsBefore);
    for (const CounterTile *tile : tiles) {
        const auto *label = tile->findChild<QLabel *>(QStringLiteral("tileValue"));
        QTRY_VERIFY2_WITH_TIMEOUT(label->contentsRect().width()
                                      >= label->fontMetrics().horizontalAdvance(label->text()),
                                  qPrintable(tile->objectName() + u' ' + label->text()), kWaitMs);
    }
    window.setDisplayPaused(false);
    window.resize(1600, 1000);
    QTRY_COMPARE_WITH_TIMEOUT(window.countersPanel()->columnCount(), 9, kWaitMs);   // one row when it fits
}

void TestMainWindow::aSnapshotStreamShowsItsLink()
{
    TestPublisher publisher(TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    MainWindow window;
    window.show();
    window.connectTo(publisher.baseUrl().resolved(QUrl(QStringLiteral("/realtime/hello"))));
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
    QList<QJsonObject> batch;
    for (int i = 0; i < 3; ++i)
        batch.append({{"link", "/hello"}, {"country", "NZ"}});
    publisher.hub().publish(batch);
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(3), kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(countOf(*window.rankingPanel()->topLinksModel(), "/hello"), quint64(3), kWaitMs);
    QCOMPARE(window.rankingPanel()->topLinksModel()->rowCount(), 1);
}

void TestMainWindow::gapsAreLocated()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    QByteArray body;
    for (const int id : {1, 2, 5, 6, 10})
        body += "id: " + QByteArray::number(id) + "\nevent: click\ndata: {\"id\":" + QByteArray::number(id)
                + ",\"link\":\"/a\"}\n\n";
    server.route("/s", Response::sse(body).keepOpen());
    MainWindow window;
    window.show();
    window.connectTo(server.url(QStringLiteral("/s")));
    auto *gaps = window.findChild<CounterTile *>("gapsTile");
    QTRY_COMPARE_WITH_TIMEOUT(gaps->valueText(), QStringLiteral("5 / 0"), kWaitMs);
    QVERIFY2(gaps->toolTip().contains(QStringLiteral("3–4")) && gaps->toolTip().contains(QStringLiteral("7–9")),
             qPrintable(gaps->toolTip()));
    QVERIFY(gaps->toolTip().indexOf(QStringLiteral("7–9"))
            < gaps->toolTip().indexOf(QStringLiteral("3–4")));   // newest first
    QTRY_COMPARE_WITH_TIMEOUT(window.rateChart()->gapMarks()->count(), 2, kWaitMs);
    for (const QPointF &mark : window.rateChart()->gapMarks()->points())
        QVERIFY(mark.x() <= 0 && mark.x() >= window.rateChart()->axisX()->min());
}

void TestMainWindow::repeatedIdsShowBesideGaps()
{
    // Id 2 comes twice on one connection: a true duplicate, in Clicks and said so.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    QByteArray body;
    for (const int id : {1, 2, 3, 2})
        body += "data: {\"id\":" + QByteArray::number(id) + ",\"link\":\"/a\"}\n\n";
    server.route("/s", Response::sse(body).keepOpen());
    MainWindow window;
    window.show();
    window.connectTo(server.url(QStringLiteral("/s")));
    auto *gaps = window.findChild<CounterTile *>("gapsTile");
    QTRY_COMPARE_WITH_TIMEOUT(gaps->valueText(), QStringLiteral("0 / 1"), kWaitMs);
    QCOMPARE(window.clickCount(), quint64(4));
    QVERIFY2(gaps->toolTip().contains(QStringLiteral("0 replayed"))
                 && gaps->toolTip().contains(QStringLiteral("1 true duplicates")),
             qPrintable(gaps->toolTip()));
}

void TestMainWindow::eventsThatAreNotClicksAreShownByType()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/llm", Response::sse("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                                       "data: {\"choices\":[{\"delta\":{\"content\":\"!\"}}]}\n\n"
                                       "data: {\"choices\":[]}\n\n"
                                       "event: status\ndata: warming up\n\n")
                             .keepOpen());
    MainWindow window;
    window.show();
    QVERIFY(!window.rankingPanel()->findChild<QTabWidget *>()->isTabVisible(
        window.rankingPanel()->findChild<QTabWidget *>()->indexOf(
            window.rankingPanel()->findChild<QTableView *>("eventTypesView"))));
    window.connectTo(server.url(QStringLiteral("/llm")));
    QTRY_COMPARE_WITH_TIMEOUT(window.eventCount(), quint64(4), kWaitMs);
    QCOMPARE(window.clickCount(), quint64(0));
    QTRY_VERIFY_WITH_TIMEOUT(window.rankingPanel()->showsEventTypes(), kWaitMs);
    RankingModel *types = window.rankingPanel()->eventTypesModel();
    QCOMPARE(types->rowCount(), 2);
    QCOMPARE(countOf(*types, "message"), quint64(3));
    QCOMPARE(countOf(*types, "status"), quint64(1));
    QCOMPARE(types->headerData(RankingModel::CountColumn, Qt::Horizontal).toString(), QStringLiteral("Events"));
}

void TestMainWindow::theDemoRateIsAnAverageOrFlat()
{
    MainWindow window;
    QVERIFY(window.startDemo());
    PublisherPanel *panel = window.publisherPanel();
    QVERIFY(panel->findChild<QLabel *>("rateLabel")->text().contains(QStringLiteral("average")));
    auto *flat = panel->findChild<QCheckBox *>("flatRateCheck");
    QVERIFY(flat->isEnabled() && !flat->isChecked());
    QVERIFY(!window.demoServer()->isFlat());
    flat->click();
    QVERIFY(window.demoServer()->isFlat());
    window.stopDemo();
    QVERIFY(!flat->isEnabled());
}

void TestMainWindow::theSelectedEventStaysInView()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    window.resize(1280, 800);
    QVERIFY(openOnPublisher(publisher, window));
    publisher.hub().publish(clicks(50));
    QTRY_COMPARE_WITH_TIMEOUT(window.eventInspector()->model()->rowCount(), 50, kWaitMs);
    auto *view = window.findChild<QTableView *>("eventView");
    QTRY_VERIFY_WITH_TIMEOUT(view->verticalScrollBar()->value() == view->verticalScrollBar()->maximum(), kWaitMs);
    // The newest row, selected while the table follows the stream.
    view->setFocus();
    view->setCurrentIndex(view->model()->index(49, 0));
    const QByteArray selected = window.eventInspector()->model()->fullData(49);
    publisher.hub().publish(clicks(150, 50));   // fewer than a snapshot carries: every row is shown
    QTRY_COMPARE_WITH_TIMEOUT(window.eventInspector()->model()->rowCount(), 200, kWaitMs);
    QCOMPARE(window.eventInspector()->model()->fullData(view->currentIndex().row()), selected);
    QVERIFY2(view->viewport()->rect().intersects(view->visualRect(view->currentIndex())),
             "the selected event scrolled out of view");
    // Escape lets go: the table follows the newest again.
    QTest::keyClick(view, Qt::Key_Escape);
    QVERIFY(!view->currentIndex().isValid());
    publisher.hub().publish(clicks(50, 200));
    QTRY_COMPARE_WITH_TIMEOUT(window.eventInspector()->model()->rowCount(), 250, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(view->verticalScrollBar()->value(), view->verticalScrollBar()->maximum(), kWaitMs);
}

void TestMainWindow::shareChartTicksDoNotOverlap()
{
    // A narrow share chart with counts in the thousands: its value labels never run together.
    ShareChartView chart;
    chart.resize(240, 220);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    auto snapshot = std::make_shared<DashboardSnapshot>();
    snapshot->topLinks = {{"/x", 1600, 0, 0.8}, {"/y", 400, 0, 0.2}};
    chart.applySnapshot(snapshot);
    QStringList texts;
    const auto numericLabels = [&chart, &texts] {
        return labelRects(
            chart.scene(),
            [](const QString &text) {
                bool isNumber = false;
                return (text.toInt(&isNumber), isNumber);
            },
            &texts);
    };
    QTRY_VERIFY2_WITH_TIMEOUT((numericLabels(), texts.contains(QStringLiteral("2000"))), qPrintable(texts.join(u' ')),
                              kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(apart(numericLabels()), kWaitMs);
    QVERIFY2(texts.size() >= 2, qPrintable(texts.join(u' ')));
}

void TestMainWindow::shareChartBarLabelsStayInTheChart()
{
    // A narrow bar chart of long keys: every label is drawn whole inside the view, each key cut
    // in its middle, the rank first.
    ShareChartView chart;
    chart.resize(240, 220);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    auto snapshot = std::make_shared<DashboardSnapshot>();
    snapshot->topLinks = {{"/campaign-spring-2026-news", 60, 0, 0.6}, {"/campaign-autumn-2026-news", 40, 0, 0.4}};
    chart.applySnapshot(snapshot);
    QStringList texts;
    const auto rankLabels = [&chart, &texts] {
        return labelRects(
            chart.scene(), [](const QString &text) { return text.startsWith(u"1. ") || text.startsWith(u"2. "); },
            &texts);
    };
    QTRY_COMPARE_WITH_TIMEOUT(rankLabels().size(), qsizetype(2), kWaitMs);
    QTRY_VERIFY2_WITH_TIMEOUT(
        [&] {
            const QRectF inside = chart.mapToScene(chart.viewport()->rect()).boundingRect();
            for (const QRectF &rect : rankLabels()) {
                if (!inside.contains(rect))
                    return false;
            }
            return true;
        }(),
        qPrintable(texts.join(u" | ")), kWaitMs);
    QVERIFY2(texts.join(u' ').contains(u'…'), qPrintable(texts.join(u" | ")));
    chart.resize(1400, 300);   // room again: whole keys and their shares (shown with one space)
    QTRY_VERIFY2_WITH_TIMEOUT((rankLabels(), texts.join(u' ').contains(u"2. /campaign-autumn-2026-news (40.0 %)")),
                              qPrintable(texts.join(u" | ")), kWaitMs);
}

void TestMainWindow::rateChartTicksDoNotOverlap()
{
    // A narrow clicks/s chart: fewer time ticks, still on round values, their labels apart.
    RateChartView chart;
    chart.resize(230, 220);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const auto timeLabels = [&chart](QStringList *texts) {
        return labelRects(
            chart.scene(), [](const QString &text) { return text.endsWith(QStringLiteral(" s")); }, texts);
    };
    QStringList texts;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (timeLabels(&texts), texts.contains(QStringLiteral("-300 s")) && texts.contains(QStringLiteral("0 s"))),
        qPrintable(texts.join(u' ')), kWaitMs);
    QTRY_VERIFY2_WITH_TIMEOUT(apart(timeLabels(&texts)), qPrintable(texts.join(u' ')), kWaitMs);
    QVERIFY(chart.axisX()->tickCount() < 7);
    chart.resize(900, 300);   // room again: every 50 s
    QTRY_COMPARE_WITH_TIMEOUT(chart.axisX()->tickCount(), 7, kWaitMs);
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
    QCOMPARE(window.streamStatus()->stateText(), QStringLiteral("Disconnected"));
    // The worker's late "closed" does not overwrite it, and the count stays.
    QTest::qWait(200);
    QCOMPARE(window.streamStatus()->stateText(), QStringLiteral("Disconnected"));
    QCOMPARE(window.eventCount(), quint64(1));
}

void TestMainWindow::publisherWithTrafficFeedsTheWindow()
{
    // What --demo and serve compose: the embedded publisher fed by synthetic traffic.
    SyntheticPublisher::Settings settings;
    settings.traffic.clicksPerSecond = 200;
    SyntheticPublisher synthetic(settings);
    QVERIFY(synthetic.start());
    TestPublisher &publisher = synthetic.publisher();
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
    QCOMPARE(window.findChild<CounterTile *>("undecodableTile")->valueText(), QStringLiteral("0 / 0"));
    QCOMPARE(window.findChild<CounterTile *>("gapsTile")->valueText(), QStringLiteral("0 / 0"));

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
    // The chart ends at the last complete second: the clicks are on it within a second.
    const auto pointSum = [chart] {
        double sum = 0;
        for (const QPointF &p : chart->series()->points())
            sum += p.y();
        return sum;
    };
    QTRY_COMPARE_WITH_TIMEOUT(pointSum(), 500.0, kWaitMs);   // every click is in the window, once
    const QList<QPointF> points = chart->series()->points();
    QCOMPARE(points.size(), RateChartView::kDefaultWindowSeconds);
    QCOMPARE(points.first().x(), double(1 - RateChartView::kDefaultWindowSeconds));
    QCOMPARE(points.last().x(), 0.0);
    double max = 0;
    for (const QPointF &p : points)
        max = std::max(max, p.y());
    QVERIFY2(max >= 250, qPrintable(QString::number(max)));   // one burst: at most two seconds
    QCOMPARE(chart->rates().maxValue(), max);
    QVERIFY(chart->axisY()->max() >= max);
    QVERIFY(chart->axisY()->max() <= 2.5 * max);
    QCOMPARE(chart->axisX()->min(), -double(RateChartView::kDefaultWindowSeconds));
    QCOMPARE(chart->axisX()->max(), 0.0);
    QVERIFY(chart->renderHints().testFlag(QPainter::Antialiasing));
}

void TestMainWindow::linksTileCountsBeyondTheRanking()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    QList<QJsonObject> batch;
    for (int i = 0; i < 150; ++i)
        batch.append({{"link", QStringLiteral("/l%1").arg(i)}});
    publisher.hub().publish(batch);
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(150), kWaitMs);
    QCOMPARE(window.rankingPanel()->topLinksModel()->rowCount(), 100);   // the ranking is capped
    QCOMPARE(window.findChild<CounterTile *>("linksTile")->valueText(), QStringLiteral("150"));
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
    QCOMPARE(RateChartView::rescaledMax(100, 60), 100.0);      // fits: unchanged
    QCOMPARE(RateChartView::rescaledMax(100, 120), 200.0);     // outgrown
    QCOMPARE(RateChartView::rescaledMax(1000, 250), 1000.0);   // uses more than a fifth
    QCOMPARE(RateChartView::rescaledMax(1000, 30), 50.0);      // far below: shrinks
    QCOMPARE(RateChartView::rescaledMax(10, 0), 10.0);         // the smallest axis stays
    QCOMPARE(EventInspector::prettyData("not json"), QStringLiteral("not json"));
    QCOMPARE(EventInspector::prettyData("{\"a\":1}"), QStringLiteral("{\n    \"a\": 1\n}\n"));
}

void TestMainWindow::startsOnTheWelcomePage()
{
    MainWindow window;
    window.show();
    QVERIFY(!window.showsDashboard());
    QVERIFY(window.findChild<QPushButton *>("startDemoButton")->isVisible());
    QVERIFY(!window.findChild<QWidget *>("recentBox")->isVisible());   // nothing recent yet
    QVERIFY(!window.isConnected());
    QCOMPARE(window.streamStatus()->stateText(), QStringLiteral("Not connected"));
}

void TestMainWindow::deadUrlShowsRetryingAndKeepsData()
{
    // A publisher that goes away under an open stream: the window says so at once, keeps what it
    // counted, and retries.
    auto publisher = std::make_unique<TestPublisher>(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(*publisher, window));
    publisher->hub().publish(clicks(12));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(12), kWaitMs);
    publisher.reset();
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Retrying in")), kWaitMs);
    QVERIFY(window.isConnected());   // still trying
    QCOMPARE(window.clickCount(), quint64(12));
    QCOMPARE(window.findChild<CounterTile *>("clicksTile")->valueText(), QStringLiteral("12"));

    // A port nobody listens on, from the start.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    window.connectTo(QUrl(QStringLiteral("http://127.0.0.1:%1/events").arg(port)));
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Retrying in")), kWaitMs);
    QVERIFY2(window.streamStatus()->stateText().contains(QStringLiteral("refused"), Qt::CaseInsensitive),
             qPrintable(window.streamStatus()->stateText()));
    window.disconnectFromStream();
    QCOMPARE(window.streamStatus()->stateText(), QStringLiteral("Disconnected"));
}

void TestMainWindow::restartedServerContinuesTheCharts()
{
    // The stream dies and comes back on the same port, numbering its clicks from 1 again: the
    // window reconnects by itself (with Last-Event-ID), takes the restarted server's snapshot
    // for where it resumed, and counts on from where it was: no click lost, none called a repeat.
    auto publisher = std::make_unique<TestPublisher>(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(*publisher, window));
    const quint16 port = publisher->port();
    publisher->hub().publish(clicks(12));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(12), kWaitMs);
    publisher.reset();
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Retrying in")), kWaitMs);

    TestPublisher::Settings settings;
    settings.port = port;
    publisher = std::make_unique<TestPublisher>(settings);
    publisher->hub().publish(clicks(3, 12));   // while the window was away
    QVERIFY(publisher->listen());
    QTRY_COMPARE_WITH_TIMEOUT(publisher->subscriberCount(), 1, 4 * kWaitMs);   // after `retry` (3 s) and jitter
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Open")), kWaitMs);
    publisher->hub().publish(clicks(2, 15));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(17), kWaitMs);
    QCOMPARE(window.findChild<CounterTile *>("reconnectsTile")->valueText(), QStringLiteral("1"));
    QCOMPARE(window.lastSnapshot()->totals.gaps, quint64(0));
    QCOMPARE(window.lastSnapshot()->totals.duplicates, quint64(0));
    QCOMPARE(window.lastSnapshot()->totals.counterResets, quint64(1));
    const auto seriesSum = [&window] {
        double sum = 0;
        for (const double v : window.lastSnapshot()->clicksPerSecond)
            sum += v;
        return sum;
    };
    // One chart across both servers: the clicks from while it was away are history, not a rate.
    QTRY_COMPARE_WITH_TIMEOUT(seriesSum(), 14.0, kWaitMs);
}

void TestMainWindow::exportWritesValidFiles()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    window.resize(1280, 800);
    QVERIFY(openOnPublisher(publisher, window));
    auto batch = clicks(90);
    batch[0].insert(QStringLiteral("referrer"), QStringLiteral("https://news.example.com/a,b"));
    publisher.hub().publish(batch);
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(90), kWaitMs);
    // The series ends at the last complete second: wait until the clicks are in it.
    const auto seriesSum = [&window] {
        double sum = 0;
        for (const double v : window.lastSnapshot()->clicksPerSecond)
            sum += v;
        return sum;
    };
    QTRY_COMPARE_WITH_TIMEOUT(seriesSum(), 90.0, kWaitMs);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto exported = window.exportTo(dir.filePath(QStringLiteral("out")));
    QVERIFY2(exported, qPrintable(exported.error()));
    const QStringList files = *exported;
    QCOMPARE(files.size(), 10);
    const auto find = [&files](const QString &suffix) {
        for (const QString &f : files) {
            if (f.endsWith(suffix))
                return f;
        }
        return QString();
    };
    const auto read = [](const QString &path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    };

    // CSV: a header and one row per ranked value, RFC 4180 line ends.
    const QList<QByteArray> links = read(find(QStringLiteral("-top-links.csv"))).split('\n');
    QCOMPARE(links.first(), QByteArray("rank,link,clicks,share,max_overcount\r"));
    QCOMPARE(links.size(), 1 + 3 + 1);
    QVERIFY(links.at(1).startsWith("1,/"));
    quint64 sum = 0;
    for (int i = 1; i <= 3; ++i)
        sum += links.at(i).split(',').at(2).toULongLong();
    QCOMPARE(sum, quint64(90));
    const QByteArray referrers = read(find(QStringLiteral("-referrer.csv")));
    QVERIFY2(referrers.contains(",news.example.com,1,"), referrers.constData());
    const QList<QByteArray> series = read(find(QStringLiteral("-series.csv"))).split('\n');
    QCOMPARE(series.first(), QByteArray("time_utc,seconds_ago,clicks_per_second\r"));
    QCOMPARE(series.size(), 1 + RateChartView::kDefaultWindowSeconds + 1);
    double csvSum = 0;
    for (int i = 1; i <= RateChartView::kDefaultWindowSeconds; ++i)
        csvSum += series.at(i).split(',').at(2).toDouble();
    QCOMPARE(csvSum, 90.0);

    // JSON: the watch --json report.
    QJsonParseError parseError;
    const QJsonDocument report = QJsonDocument::fromJson(read(find(QStringLiteral("-report.json"))), &parseError);
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QCOMPARE(report.object().value(QStringLiteral("totals")).toObject().value(QStringLiteral("clicks")).toInteger(),
             90);
    // The CSVs and the report are one moment: the same links with the same counts.
    const QJsonArray reportLinks = report.object().value(QStringLiteral("topLinks")).toArray();
    QCOMPARE(reportLinks.size(), 3);
    for (int i = 1; i <= 3; ++i) {
        const QList<QByteArray> row = links.at(i).split(',');
        const QJsonObject entry = reportLinks.at(i - 1).toObject();
        QCOMPARE(entry.value(QStringLiteral("link")).toString().toUtf8(), row.at(1));
        QCOMPARE(entry.value(QStringLiteral("count")).toInteger(), row.at(2).toLongLong());
    }

    // PNG: images of the window and the charts, the size they are on screen.
    const QImage dashboard(find(QStringLiteral("-dashboard.png")));
    QCOMPARE(dashboard.size(), window.size() * window.devicePixelRatio());
    const QImage chart(find(QStringLiteral("-rate-chart.png")));
    QCOMPARE(chart.size(), window.rateChart()->size() * window.devicePixelRatio());
    QVERIFY(!QImage(find(QStringLiteral("-share-chart.png"))).isNull());
    // Not blank: the chart has more than a handful of colours.
    QSet<QRgb> colours;
    for (int y = 0; y < chart.height(); y += 4) {
        for (int x = 0; x < chart.width(); x += 4)
            colours.insert(chart.pixel(x, y));
    }
    QVERIFY2(colours.size() > 5, qPrintable(QString::number(colours.size())));

    // A folder that cannot be made is an error, not a crash.
    QFile blocker(dir.filePath(QStringLiteral("file")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const auto refused = window.exportTo(dir.filePath(QStringLiteral("file/sub")));
    QVERIFY(!refused);
    QVERIFY(refused.error().startsWith(QStringLiteral("Cannot create")));
}

void TestMainWindow::exportWithoutDataIsRefused()
{
    MainWindow window;
    QTemporaryDir dir;
    const auto empty = window.exportTo(dir.path());
    QVERIFY(!empty);
    QVERIFY(empty.error().startsWith(QStringLiteral("Nothing to export")));
    QVERIFY(QDir(dir.path()).isEmpty());

    // Connected, but nothing has arrived: still nothing to write, rather than headers only.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse().keepOpen());
    window.connectTo(server.url(QStringLiteral("/s")));
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Open")), kWaitMs);
    const auto stillEmpty = window.exportTo(dir.path());
    QVERIFY(!stillEmpty);
    QVERIFY2(stillEmpty.error().startsWith(QStringLiteral("Nothing to export")), qPrintable(stillEmpty.error()));
    QVERIFY(QDir(dir.path()).isEmpty());
}

void TestMainWindow::demoShowsDataAndTakesHandPublishedClicks()
{
    MainWindow window;
    window.show();
    QTest::mouseClick(window.findChild<QPushButton *>("startDemoButton"), Qt::LeftButton);
    QVERIFY(window.showsDashboard());
    DemoServer *demo = window.demoServer();
    QVERIFY(demo && demo->isRunning());
    QCOMPARE(demo->baseUrl().host(), QStringLiteral("127.0.0.1"));
    QTRY_VERIFY_WITH_TIMEOUT(window.clickCount() >= 10, kWaitMs);
    QVERIFY(window.rankingPanel()->topLinksModel()->rowCount() > 0);
    QVERIFY(window.recentUrls().isEmpty());   // demo ports change every run: not history

    // The panel's curl command, run by hand, is a click the dashboard counts.
    PublisherPanel *panel = window.publisherPanel();
    QVERIFY(panel);
    const QString curl = panel->curlCommand();
    QVERIFY2(curl.contains(demo->url(QStringLiteral("/publish")).toString()), qPrintable(curl));
    demo->setRate(0);   // synthetic links are random codes, never "/hello": no need to wait for quiet
    const quint64 hellosBefore = countOf(*window.rankingPanel()->topLinksModel(), "/hello");
    QNetworkAccessManager nam;
    QNetworkRequest request(demo->url(QStringLiteral("/publish")));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    const int start = int(curl.indexOf(QStringLiteral("-d '"))) + 4;
    const QByteArray body = curl.mid(start, curl.indexOf(u'\'', start) - start).toUtf8();
    QNetworkReply *reply = nam.post(request, body);
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), kWaitMs);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 202);
    reply->deleteLater();
    QTRY_COMPARE_WITH_TIMEOUT(countOf(*window.rankingPanel()->topLinksModel(), "/hello"), hellosBefore + 1, kWaitMs);

    // Rate 0 means quiet: nothing more arrives over a window of 20 synthetic ticks (a negative
    // check has to watch for a while).
    const quint64 settled = window.clickCount();
    QTest::qWait(20 * TrafficGenerator::kTickMs);
    QCOMPARE(window.clickCount(), settled);
    // The slider is logarithmic and agrees with the spin box.
    QCOMPARE(PublisherPanel::rateAt(PublisherPanel::sliderPosition(1000)), 1000.0);
    QCOMPARE(PublisherPanel::rateAt(0), 0.0);
    QCOMPARE(PublisherPanel::rateAt(51), 100000.0);
    auto *spin = panel->findChild<QSpinBox *>("rateSpin");
    spin->setValue(250);
    QCOMPARE(demo->rate(), 250.0);
    QTRY_VERIFY_WITH_TIMEOUT(window.clickCount() > settled, kWaitMs);

    window.stopDemo();
    QVERIFY(!demo->isRunning());
    QVERIFY(!window.isConnected());
}

void TestMainWindow::longChartWindowsAreAveraged()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    publisher.hub().publish(clicks(240));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(240), kWaitMs);
    auto *combo = window.findChild<QComboBox *>("chartWindowCombo");
    combo->setCurrentIndex(combo->findData(24 * 60 * 60));
    RateChartView *chart = window.rateChart();
    QCOMPARE(chart->windowSeconds(), 24 * 60 * 60);
    QCOMPARE(chart->axisX()->min(), -24.0);   // hours
    // 720 rows at once, never 86,400; then the pipeline's first snapshot for the new window.
    QCOMPARE(chart->series()->points().size(), 720);
    QVERIFY(chart->awaitsData());
    QTRY_VERIFY_WITH_TIMEOUT(!chart->awaitsData(), kWaitMs);
    QCOMPARE(window.lastSnapshot()->seriesWindowSeconds, 24 * 60 * 60);
    QCOMPARE(window.lastSnapshot()->seriesBucketSeconds, 120);
    QVERIFY(chart->chart()->title().contains(QStringLiteral("24 h")));
    // Bucket averages × their seconds add back up to the clicks.
    const auto clicksSeen = [&window, chart] {
        const QList<QPointF> points = chart->series()->points();
        const qint64 age = window.lastSnapshot()->newestSecond % 120;
        double sum = points.last().y() * double(age + 1);
        for (qsizetype i = 0; i + 1 < points.size(); ++i)
            sum += points.at(i).y() * 120;
        return qRound(sum);
    };
    QTRY_COMPARE_WITH_TIMEOUT(clicksSeen(), 240, kWaitMs);
    const QList<QPointF> points = chart->series()->points();
    QVERIFY(points.first().x() >= -24.0 && points.last().x() <= 0);

    // Chosen while paused, a window is still filled from the next snapshot.
    window.setDisplayPaused(true);
    combo->setCurrentIndex(combo->findData(60));
    QCOMPARE(chart->series()->points().size(), 60);
    QTRY_VERIFY_WITH_TIMEOUT(!chart->awaitsData(), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(chart->rates().maxValue() > 0, kWaitMs);
    window.setDisplayPaused(false);
    QCOMPARE(chart->axisX()->min(), -60.0);
}

void TestMainWindow::pausedDisplayFreezesAndCatchesUp()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    publisher.hub().publish(clicks(10));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(10), kWaitMs);
    auto *tile = window.findChild<CounterTile *>("clicksTile");
    QTRY_COMPARE_WITH_TIMEOUT(tile->valueText(), QStringLiteral("10"), kWaitMs);

    window.setDisplayPaused(true);
    QVERIFY(window.eventInspector()->isPaused());   // one pause for the whole display
    publisher.hub().publish(clicks(25, 10));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(35), kWaitMs);   // still read and counted
    QCOMPARE(tile->valueText(), QStringLiteral("10"));                      // but not drawn
    window.setDisplayPaused(false);
    QCOMPARE(tile->valueText(), QStringLiteral("35"));
    QVERIFY(!window.eventInspector()->isPaused());
}

void TestMainWindow::resetAndReconnect()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    publisher.hub().publish(clicks(20));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(20), kWaitMs);

    // Reconnect resumes after the last id: totals carry on, nothing counted twice; the window
    // goes from one connection to the next without showing "Closed" in between.
    QSignalSpy states(&window.pipeline(), &ClickPipeline::stateChanged);
    QVERIFY(window.reconnect());
    QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Open")), kWaitMs);
    for (const QList<QVariant> &state : std::as_const(states))
        QVERIFY(state.at(0).value<StreamSource::State>() != StreamSource::State::Closed);
    QVERIFY(window.isConnected());
    publisher.hub().publish(clicks(5, 20));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(25), kWaitMs);

    // Reset while paused: the zeroes show at once, and no snapshot from before the reset
    // (still on its way from the worker) brings the old numbers back.
    window.setDisplayPaused(true);
    quint64 staleAfterReset = 0;
    connect(&window.pipeline(), &ClickPipeline::snapshotReady, this,
            [&](const DashboardSnapshotPtr &snapshot) { staleAfterReset += snapshot->totals.clicks >= 25 ? 1 : 0; });
    window.resetStatistics();
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(0), kWaitMs);
    QCOMPARE(staleAfterReset, quint64(0));
    window.setDisplayPaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(window.findChild<CounterTile *>("clicksTile")->valueText(), QStringLiteral("0"), kWaitMs);
    QCOMPARE(window.eventInspector()->model()->rowCount(), 0);
    QCOMPARE(window.rankingPanel()->topLinksModel()->rowCount(), 0);
    publisher.hub().publish(clicks(3, 25));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(3), kWaitMs);
}

void TestMainWindow::credentialsStayWithTheirServer()
{
    MainWindow window;
    window.show();
    StreamRequest request;
    request.config.url = QUrl(QStringLiteral("http://127.0.0.1:9/a"));
    request.config.headers = {{"Authorization", "Bearer t"}};
    request.config.method = "POST";
    request.config.body = "{}";
    window.connectTo(request);
    auto *urlEdit = window.findChild<QLineEdit *>("urlEdit");
    auto *button = window.findChild<QPushButton *>("connectButton");

    // Another path of the same server keeps them.
    QTest::mouseClick(button, Qt::LeftButton);   // disconnect
    urlEdit->setText(QStringLiteral("http://127.0.0.1:9/b"));
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(window.lastRequest().config.url, QUrl(QStringLiteral("http://127.0.0.1:9/b")));
    QCOMPARE(window.lastRequest().config.headers, request.config.headers);
    QCOMPARE(window.lastRequest().config.body, QByteArray("{}"));

    // Another server gets none of them.
    QTest::mouseClick(button, Qt::LeftButton);
    urlEdit->setText(QStringLiteral("http://127.0.0.1:10/b"));
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(window.lastRequest().config.url, QUrl(QStringLiteral("http://127.0.0.1:10/b")));
    QVERIFY(window.lastRequest().config.headers.isEmpty());
    QVERIFY(window.lastRequest().config.body.isEmpty());
    QCOMPARE(window.lastRequest().config.method, QByteArray("GET"));
    window.disconnectFromStream();

    // A password in a URL is used, never remembered.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/c", Response::sse().keepOpen());
    QUrl withPassword = server.url(QStringLiteral("/c"));
    withPassword.setUserInfo(QStringLiteral("user:secret"));
    window.connectTo(withPassword);
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Open")), kWaitMs);
    QCOMPARE(window.recentUrls().first(), withPassword.adjusted(QUrl::RemovePassword).toString());
    QVERIFY(!QSettings().value(QStringLiteral("connect/recentStreams")).toString().contains(QStringLiteral("secret")));
    window.disconnectFromStream();
}

void TestMainWindow::recentStreamsKeepTheRequest()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/stream", Response::sse("data: {\"token\":\"a\"}\n\n").keepOpen());
    {
        MainWindow window;
        window.show();
        StreamRequest request;
        request.config.url = server.url(QStringLiteral("/stream"));
        request.config.method = "POST";
        request.config.body = "{\"prompt\":\"hi\"}";
        request.config.headers = {{"Content-Type", "application/json"}, {"X-Trace", "1"}};
        request.config.doneMarker = QByteArray("[DONE]");
        request.mapping = *FieldMapping::parse({QStringLiteral("link=/token")});
        request.checks = *StreamCheck::parseAll({QStringLiteral("gaps=0"), QStringLiteral("heartbeat<=30s")});
        window.connectTo(request);
        QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Open")), kWaitMs);
        // A stream that never opened is not offered again.
        window.connectTo(QUrl(QStringLiteral("http://127.0.0.1:%1/never").arg(Clickscope::Testing::unusedPort())));
        window.disconnectFromStream();
        window.close();
    }
    MainWindow window;
    window.show();
    auto *list = window.findChild<QListWidget *>("recentList");
    QCOMPARE(list->count(), 1);
    QCOMPARE(list->item(0)->text(), "POST " + server.url(QStringLiteral("/stream")).toString());
    emit list->itemActivated(list->item(0));
    QVERIFY(window.isConnected());
    const StreamRequest &again = window.lastRequest();
    QCOMPARE(again.config.method, QByteArray("POST"));
    QCOMPARE(again.config.body, QByteArray("{\"prompt\":\"hi\"}"));
    QCOMPARE(again.config.headers, (QList<HttpHeader>{{"Content-Type", "application/json"}, {"X-Trace", "1"}}));
    QCOMPARE(again.config.doneMarker, std::optional<QByteArray>("[DONE]"));
    QCOMPARE(again.mapping.toStrings(), QStringList{QStringLiteral("link=/token")});
    QCOMPARE(again.checks.size(), 2);
    QCOMPARE(again.checks.at(1).text(), QStringLiteral("heartbeat<=30s"));
    QTRY_VERIFY_WITH_TIMEOUT(server.requests().size() == 2, kWaitMs);
    QCOMPARE(server.requests().at(1).method, QByteArray("POST"));
    window.disconnectFromStream();
}

void TestMainWindow::aRecentStreamAsksForItsCredentialsAgain()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::sse().keepOpen());
    {
        MainWindow window;
        window.show();
        StreamRequest request;
        request.config.url = server.url(QStringLiteral("/s"));
        request.config.url.setQuery(QStringLiteral("channel=a&access_token=t0k3n"));
        request.config.headers = {{"Authorization", "Bearer sekrit"}, {"X-Api-Key", "k3y"}, {"X-Trace", "1"}};
        window.connectTo(request);
        QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Open")), kWaitMs);
        window.disconnectFromStream();
        window.close();
    }
    const QString stored = QSettings().value(QStringLiteral("connect/recentStreams")).toString();
    QVERIFY(!stored.contains(QStringLiteral("sekrit")) && !stored.contains(QStringLiteral("k3y"))
            && !stored.contains(QStringLiteral("t0k3n")));
    QVERIFY(stored.contains(QStringLiteral("channel=a")));
    QVERIFY(stored.contains(QStringLiteral("X-Trace")));
    MainWindow window;
    window.show();
    // Picked again, it opens the connect dialog (cancelled here) instead of connecting without them.
    QTimer::singleShot(0, &window, [] {
        if (QWidget *dialog = QApplication::activeModalWidget())
            dialog->close();
    });
    auto *list = window.findChild<QListWidget *>("recentList");
    emit list->itemActivated(list->item(0));
    QVERIFY(!window.isConnected());
    QVERIFY2(window.findChild<QLabel *>("messageLabel")
                 ->text()
                 .contains(QStringLiteral("Give Authorization, X-Api-Key, the URL's access_token again")),
             qPrintable(window.findChild<QLabel *>("messageLabel")->text()));
    QCOMPARE(server.requests().size(), 1);
}

void TestMainWindow::shareChartFollowsTheRanking()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    QList<QJsonObject> batch;
    for (int i = 0; i < 12; ++i) {   // country Ci gets 12 - i clicks: 78 in all
        for (int k = 0; k < 12 - i; ++k)
            batch.append({{"link", "/x"}, {"country", QStringLiteral("C%1").arg(i)}});
    }
    publisher.hub().publish(batch);
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(78), kWaitMs);

    ShareChartView *chart = window.sharePanel()->chart();
    window.sharePanel()->setSubject(DashboardSnapshot::Country);
    QCOMPARE(chart->subject(), int(DashboardSnapshot::Country));
    QCOMPARE(chart->labels().size(), 9);   // 8 countries and "other"
    QCOMPARE(chart->labels().first(), QStringLiteral("C0"));
    QCOMPARE(chart->values().first(), 12.0);
    QCOMPARE(chart->labels().last(), QStringLiteral("other"));
    QCOMPARE(chart->values().last(), 4.0 + 3 + 2 + 1);
    window.sharePanel()->setStyle(ShareChartView::Style::Donut);
    QCOMPARE(chart->style(), ShareChartView::Style::Donut);
    QCOMPARE(chart->values().size(), 9);
    double total = 0;
    for (double v : chart->values())
        total += v;
    QCOMPARE(total, 78.0);
    window.sharePanel()->setSubject(ShareChartView::kTopLinks);
    QCOMPARE(chart->labels(), QStringList{QStringLiteral("/x")});
}

void TestMainWindow::shortcutsReachTheirActions()
{
    TestPublisher publisher(TestPublisher::Settings{});
    MainWindow window;
    QVERIFY(openOnPublisher(publisher, window));
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.rateChart()->setFocus();
    QTest::keyClick(&window, Qt::Key_Space);
    QVERIFY(window.isDisplayPaused());
    QTest::keyClick(&window, Qt::Key_Space);
    QVERIFY(!window.isDisplayPaused());
    QTest::keyClick(&window, Qt::Key_L, Qt::ControlModifier);
    auto *urlEdit = window.findChild<QLineEdit *>("urlEdit");
    QVERIFY(urlEdit->hasFocus());
    QCOMPARE(urlEdit->selectedText(), urlEdit->text());
    // A space typed into the URL bar is text, not a pause.
    QTest::keyClick(urlEdit, Qt::Key_Space);
    QVERIFY(!window.isDisplayPaused());
    publisher.hub().publish(clicks(4));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(4), kWaitMs);
    window.connectTo(eventsUrl(publisher));   // undo the typed space
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Open")), kWaitMs);
    // Space on a focused button presses the button.
    auto *connectButton = window.findChild<QPushButton *>("connectButton");
    connectButton->setFocus();
    QTest::keyClick(connectButton, Qt::Key_Space);
    QVERIFY(!window.isDisplayPaused());
    QVERIFY(!window.isConnected());   // the button disconnected
    window.connectTo(eventsUrl(publisher));
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Open")), kWaitMs);
    QTest::keyClick(&window, Qt::Key_D, Qt::ControlModifier);
    QVERIFY(!window.isConnected());
    QTest::keyClick(&window, Qt::Key_R, Qt::ControlModifier);
    QVERIFY(window.isConnected());
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().startsWith(QStringLiteral("Open")), kWaitMs);
}

void TestMainWindow::settingsAreRestored()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/a", Response::sse().keepOpen());
    server.route("/b", Response::sse().keepOpen());
    const QString a = server.url(QStringLiteral("/a")).toString();
    const QString b = server.url(QStringLiteral("/b")).toString();
    {
        MainWindow window;
        window.show();
        for (const QString &url : {a, b, a}) {
            window.connectTo(QUrl(url));
            QTRY_COMPARE_WITH_TIMEOUT(window.recentUrls().value(0), url, kWaitMs);
        }
        window.disconnectFromStream();
        window.setChartWindow(15 * 60);
        window.sharePanel()->setStyle(ShareChartView::Style::Donut);
        window.resize(1100, 700);
        window.close();
    }
    MainWindow window;
    QCOMPARE(window.recentUrls(), (QStringList{a, b}));
    QCOMPARE(window.rateChart()->windowSeconds(), 15 * 60);
    QCOMPARE(window.findChild<QComboBox *>("chartWindowCombo")->currentData().toInt(), 15 * 60);
    QCOMPARE(window.sharePanel()->chart()->style(), ShareChartView::Style::Donut);
    QCOMPARE(window.size(), QSize(1100, 700));
    // The start page offers them; activating one connects to it.
    auto *list = window.findChild<QListWidget *>("recentList");
    QCOMPARE(list->count(), 2);
    QCOMPARE(list->item(0)->text(), a);
    emit list->itemActivated(list->item(1));
    QVERIFY(window.isConnected());
    QCOMPARE(window.lastRequest().config.url, QUrl(b));
    QVERIFY(window.showsDashboard());
    window.disconnectFromStream();
}

void TestMainWindow::darkThemeRecoloursCharts()
{
    MainWindow window;
    window.show();
    window.setTheme(ThemeSwitcher::Theme::Dark);
    QTRY_VERIFY_WITH_TIMEOUT(window.palette().color(QPalette::Window).lightness() < 100, kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(window.rateChart()->chart()->backgroundBrush().color().lightness() < 100, kWaitMs);
    QVERIFY(window.rateChart()->axisX()->labelsColor().lightness() > 150);
    window.setTheme(ThemeSwitcher::Theme::Light);
    QTRY_VERIFY_WITH_TIMEOUT(window.rateChart()->chart()->backgroundBrush().color().lightness() > 200, kWaitMs);
    window.setTheme(ThemeSwitcher::Theme::System);
}

void TestMainWindow::aboutNamesVersionsAndLicences()
{
    QCoreApplication::setApplicationVersion(QStringLiteral("9.8.7"));
    const QString text = MainWindow::aboutText();
    QVERIFY2(text.contains(QStringLiteral("Clickscope 9.8.7")), qPrintable(text));
    QVERIFY(text.contains(QString::fromLatin1(qVersion())));
    QVERIFY(text.contains(QStringLiteral("MIT License")));
    QVERIFY(text.contains(QStringLiteral("GPL v3")));
}

void TestMainWindow::theXrayExplainsARefusedStream()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::status(401, "text/plain", "expired", {{"WWW-Authenticate", "Bearer realm=\"s\""}}));
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    StreamRequest request;
    request.config.url = QUrl(QStringLiteral("http://127.0.0.1:%1/s?access_token=zzz").arg(server.port()));
    request.config.headers = {{"Authorization", "Bearer s3cret"}};
    const auto checks = StreamCheck::parseAll({QStringLiteral("status=200")});
    QVERIFY(checks);
    request.checks = *checks;
    window.connectTo(request);

    // Without opening anything, the status bar says that something is wrong, and what.
    StreamStatus *status = window.streamStatus();
    QTRY_VERIFY_WITH_TIMEOUT(status->xrayMarkerText().contains(QStringLiteral("auth failure")), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(status->xrayMarkerText().contains(QStringLiteral("1 check failed")), kWaitMs);
    QVERIFY(!window.connectionDock()->isVisible());
    auto *marker = window.findChild<QToolButton *>("xrayMarker");
    QVERIFY(marker && marker->isVisible());
    QTest::mouseClick(marker, Qt::LeftButton);
    QVERIFY(window.connectionDock()->isVisible());

    ConnectionPanel *panel = window.connectionPanel();
    QVERIFY2(!panel->findingTexts().isEmpty() && panel->findingTexts().first().contains(QStringLiteral("HTTP 401")),
             qPrintable(panel->findingTexts().join(u'\n')));
    QVERIFY2(panel->checksText().contains(QStringLiteral("status=200"))
                 && panel->checksText().contains(QStringLiteral("fail")),
             qPrintable(panel->checksText()));
    QCOMPARE(panel->attemptRows(), 1);
    const QString heads = panel->headersText();
    QVERIFY2(heads.contains(QStringLiteral("Authorization: •••")), qPrintable(heads));
    QVERIFY2(heads.contains(QStringLiteral("WWW-Authenticate: Bearer realm=\"s\"")), qPrintable(heads));
    // Nothing secret anywhere the window shows it.
    for (const QString &shown : {heads, status->stateText(), panel->findingTexts().join(u' '),
                                 window.findChild<QLabel *>("messageLabel")->text()}) {
        QVERIFY2(!shown.contains(QStringLiteral("zzz")) && !shown.contains(QStringLiteral("s3cret")),
                 qPrintable(shown));
    }
    // A new stream starts a new X-ray: its own attempt, none of the old findings, no marker.
    server.route("/other", Response::sse("data: {\"link\":\"/a\"}\n\n").keepOpen());
    window.disconnectFromStream();
    window.connectTo(QUrl(QStringLiteral("http://127.0.0.1:%1/other").arg(server.port())));
    QTRY_VERIFY_WITH_TIMEOUT(panel->headersText().contains(QStringLiteral("/other")), kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(window.clickCount() == 1, kWaitMs);
    QVERIFY(!panel->findingTexts().join(u' ').contains(QStringLiteral("401")));
    QVERIFY2(status->xrayMarkerText().isEmpty(), qPrintable(status->xrayMarkerText()));
}

void TestMainWindow::aServersWordsAreNeverMarkup()
{
    // A Content-Type that looks like HTML, quoted by the error, the finding and the attempt's end.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.route("/s", Response::status(200, "<b>bold</b>", "{}"));
    MainWindow window;
    window.show();
    window.showConnectionXray();
    window.connectTo(server.url(QStringLiteral("/s")));
    QTRY_VERIFY_WITH_TIMEOUT(window.streamStatus()->stateText().contains(QStringLiteral("<b>bold</b>")), kWaitMs);
    const QString tip = window.findChild<QLabel *>("streamStateLabel")->toolTip();
    QVERIFY2(tip.contains(QStringLiteral("&lt;b&gt;bold&lt;/b&gt;")), qPrintable(tip));
    QTRY_VERIFY_WITH_TIMEOUT(!window.connectionPanel()->findingTexts().isEmpty(), kWaitMs);
    auto *marker = window.findChild<QToolButton *>("xrayMarker");
    QVERIFY2(marker->toolTip().contains(QStringLiteral("&lt;b&gt;")), qPrintable(marker->toolTip()));
    auto *attempts = window.connectionPanel()->findChild<QTableWidget *>("attemptsTable");
    const QString endTip = attempts->item(0, attempts->columnCount() - 1)->toolTip();
    QVERIFY2(endTip.contains(QStringLiteral("&lt;b&gt;")) && !endTip.contains(QStringLiteral("<b>")),
             qPrintable(endTip));
}

void TestMainWindow::aBusStreamsAttemptIsShownOpened()
{
    // NATS answers without HTTP: the X-ray's attempt says it opened, not that it is connecting.
    Testing::NatsServer nats;
    QVERIFY2(nats.start(), qPrintable(nats.errorString()));
    MainWindow window;
    window.show();
    window.showConnectionXray();
    window.connectTo(nats.url(QStringLiteral("c")));
    QTRY_COMPARE_WITH_TIMEOUT(nats.subscribers("c"), 1, kWaitMs);
    QVERIFY(nats.publish("c", {R"({"link":"/a"})"}));
    QTRY_COMPARE_WITH_TIMEOUT(window.clickCount(), quint64(1), kWaitMs);
    auto *attempts = window.connectionPanel()->findChild<QTableWidget *>("attemptsTable");
    int status = -1;
    for (int column = 0; column < attempts->columnCount(); ++column) {
        if (attempts->horizontalHeaderItem(column)->text() == QStringLiteral("Status"))
            status = column;
    }
    QVERIFY(status >= 0);
    QTRY_COMPARE_WITH_TIMEOUT(attempts->item(0, status)->text(), QStringLiteral("opened"), kWaitMs);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
