// SPDX-License-Identifier: MIT
#include "mainwindow.h"
#include "scriptedhttpserver.h"
#include "testpublisher.h"
#include "trafficgenerator.h"

#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStatusBar>
#include <QTest>

using Clickscope::MainWindow;
using Clickscope::StreamSource;
using Clickscope::Testing::ScriptedHttpServer;
using Response = ScriptedHttpServer::Response;

namespace {
constexpr int kWaitMs = 5000;
}

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void typedUrlConnectsAndCountsEvents();
    void badUrlIsRefusedWithAMessage();
    void httpErrorIsShown();
    void disconnectButtonCloses();
    void publisherWithTrafficFeedsTheWindow();
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
    auto *count = window.findChild<QLabel *>("eventCountLabel");
    QTRY_COMPARE_WITH_TIMEOUT(count->text().remove(QLocale().groupSeparator()), QStringLiteral("1500"), kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(window.findChild<QLabel *>("commentCountLabel")->text(), QStringLiteral("1"), kWaitMs);
    auto *log = window.findChild<QPlainTextEdit *>("lastEventsView");
    QTRY_VERIFY_WITH_TIMEOUT(log->toPlainText().contains(QStringLiteral("click #1499  {\"n\":1499}")), kWaitMs);
    QVERIFY(!log->toPlainText().contains(QStringLiteral("{\"n\":3}")));   // only the newest are shown
    QCOMPARE(window.findChild<QPushButton *>("connectButton")->text(), QStringLiteral("&Disconnect"));
    QVERIFY(window.statusBar()->currentMessage().startsWith(QStringLiteral("Open")));
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
    QVERIFY(!window.source());
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
    QVERIFY(window.statusBar()->currentMessage().startsWith(QStringLiteral("Closed")));
    QCOMPARE(window.findChild<QPushButton *>("connectButton")->text(), QStringLiteral("&Connect"));
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
    QTest::mouseClick(window.findChild<QPushButton *>("connectButton"), Qt::LeftButton);
    QVERIFY(!window.source());
    QCOMPARE(window.findChild<QPushButton *>("connectButton")->text(), QStringLiteral("&Connect"));
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Disconnected"));
}

void TestMainWindow::publisherWithTrafficFeedsTheWindow()
{
    // What --demo composes: the embedded publisher fed by synthetic traffic.
    Clickscope::TestPublisher publisher(Clickscope::TestPublisher::Settings{});
    QVERIFY(publisher.listen());
    Clickscope::TrafficGenerator::Settings settings;
    settings.clicksPerSecond = 200;
    Clickscope::TrafficGenerator traffic(settings);
    connect(&traffic, &Clickscope::TrafficGenerator::clicksGenerated, &publisher,
            [&](const QList<QJsonObject> &clicks) { publisher.hub().publish(clicks); });
    traffic.start();
    MainWindow window;
    window.show();
    window.connectTo(publisher.baseUrl().resolved(QUrl(QStringLiteral("/events"))));
    QTRY_VERIFY_WITH_TIMEOUT(window.eventCount() >= 20, kWaitMs);
    QCOMPARE(publisher.subscriberCount(), 1);
    QVERIFY(window.findChild<QPlainTextEdit *>("lastEventsView")->toPlainText().contains(QStringLiteral("click #")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
