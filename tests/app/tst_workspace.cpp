// SPDX-License-Identifier: MIT
// File ▸ Save workspace and Open workspace, offscreen, on a real publisher: the streams, their
// names and settings and the layout come back; secrets never reach the file, and with no keyring
// to keep them the stream waits for them and says why; a file that is not a workspace is refused.
#include "app/mainwindow.h"
#include "app/ratechartview.h"
#include "app/workspace.h"
#include "server/testpublisher.h"

#include <QDockWidget>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Clickscope;

namespace {

constexpr int kWaitMs = 10000;

QUrl urlOf(const TestPublisher &publisher, const QString &path, const QString &scheme = QStringLiteral("http"))
{
    QUrl url = publisher.baseUrl().resolved(QUrl(path));
    url.setScheme(scheme);
    return url;
}

// A workspace file's text: the format and version given, and `streams`.
QByteArray workspaceText(const QString &format, int version, const QJsonArray &streams = {})
{
    return QJsonDocument(QJsonObject{{"format", format}, {"version", version}, {"streams", streams}}).toJson();
}

QJsonObject streamWith(const QString &url, const QJsonArray &headers = {})
{
    return {{"request", QJsonObject{{"url", url}, {"headers", headers}}}};
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

}   // namespace

class TestWorkspace : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // No keyring: the session bus is where one would answer, and this one leads nowhere
        // (unset, the bus would be looked for in the user's runtime folder). The secrets then
        // stay out of every file and the window asks for them again.
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/clickscope-test-bus");
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void roundTripKeepsStreamsAndLayoutButNoSecret()
    {
        TestPublisher open(TestPublisher::Settings{});
        TestPublisher::Settings locked;
        locked.token = "s3cret-token";
        locked.tokenForReading = true;
        TestPublisher guarded(locked);
        QVERIFY(open.listen());
        QVERIFY(guarded.listen());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("team.csworkspace"));

        {
            MainWindow window;
            window.show();
            StreamRequest secured;
            secured.config.url = urlOf(guarded, QStringLiteral("/events"));
            secured.config.headers = {{"Authorization", "Bearer s3cret-token"}, {"X-Team", "blue"}};
            window.connectTo(secured);
            window.currentStream()->setGivenName(QStringLiteral("production"));
            StreamRequest plain;
            plain.config.url = urlOf(open, QStringLiteral("/ws"), QStringLiteral("ws"));
            window.openStream(plain);
            StreamRequest tokenInUrl;
            tokenInUrl.config.url = QUrl(urlOf(open, QStringLiteral("/events")).toString()
                                         + QStringLiteral("?access_token=tok-in-url-123"));
            window.openStream(tokenInUrl);
            window.disconnectFromStream();   // saved as not connected
            window.setChartWindow(15 * 60);
            window.showOverview();
            QTRY_COMPARE_WITH_TIMEOUT(guarded.subscriberCount(), 1, kWaitMs);
            QTRY_COMPARE_WITH_TIMEOUT(open.subscriberCount(), 1, kWaitMs);
            QVERIFY(window.saveWorkspace(path));
        }
        QTRY_COMPARE_WITH_TIMEOUT(guarded.subscriberCount() + open.subscriberCount(), 0, kWaitMs);

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray written = file.readAll();
        QVERIFY(!written.contains("s3cret-token"));
        QVERIFY(!written.contains("tok-in-url-123"));
        QVERIFY(written.contains("X-Team"));
        QVERIFY(written.contains("production"));

        MainWindow window;
        window.show();
        QVERIFY(window.openWorkspace(path));
        StreamList *streams = window.streams();
        QCOMPARE(streams->size(), 3);
        QVERIFY(window.showsOverview());
        QCOMPARE(window.rateChart()->windowSeconds(), 15 * 60);
        QVERIFY(window.streamsDock()->isVisible());
        QCOMPARE(streams->at(0)->name(), QStringLiteral("production"));
        QCOMPARE(streams->at(0)->request.config.headers,
                 (QList<HttpHeader>{{"X-Team", "blue"}}));   // the token is not in the file
        // The WebSocket one was connected: it is again, at once.
        QTRY_COMPARE_WITH_TIMEOUT(open.subscriberCount(), 1, kWaitMs);
        QVERIFY(streams->at(1)->active);
        // The one with the token in its URL was not connected, and is not.
        QVERIFY(!streams->at(2)->active);
        QVERIFY(streams->at(2)->missingCredentials.join(u' ').contains(QStringLiteral("access_token")));
        // With no keyring, the token cannot come back: the stream waits and says why.
        QTRY_VERIFY_WITH_TIMEOUT(!streams->at(0)->lastError.isEmpty(), kWaitMs);
        QVERIFY2(streams->at(0)->lastError.contains(QStringLiteral("Authorization"))
                     && streams->at(0)->lastError.contains(QStringLiteral("keyring")),
                 qPrintable(streams->at(0)->lastError));
        QVERIFY(!streams->at(0)->active);
        QCOMPARE(guarded.subscriberCount(), 0);
        QVERIFY(streams->at(0)->isInTrouble());
        QVERIFY(
            streams->index(0, StreamList::FindingColumn).data().toString().contains(QStringLiteral("Authorization")));

        // Saved again, the missing token is still asked for the next time.
        const QString again = dir.filePath(QStringLiteral("again.csworkspace"));
        QVERIFY(window.saveWorkspace(again));
        const Result<Workspace> reread = Workspace::load(again, StreamList::kMaxStreams);
        QVERIFY(reread);
        QCOMPARE(reread->streams.at(0).saved.missingCredentials, QStringList{QStringLiteral("Authorization")});
    }

    void theLastWorkspaceIsRestored()
    {
        TestPublisher publisher(TestPublisher::Settings{});
        QVERIFY(publisher.listen());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("last.csworkspace"));
        {
            MainWindow window;
            StreamRequest request;
            request.config.url = urlOf(publisher, QStringLiteral("/events"));
            window.connectTo(request);
            QVERIFY(window.saveWorkspace(path));
        }
        MainWindow window;
        QVERIFY(window.restoreLastWorkspace());
        QCOMPARE(window.workspacePath(), path);
        QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
        QFile::remove(path);
        MainWindow another;
        QVERIFY(!another.restoreLastWorkspace());   // gone: nothing to restore, nothing broken
    }

    void whatIsNotAWorkspaceIsRefused_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("says");
        QTest::newRow("not json") << QByteArray("{\"streams\": [") << "not a workspace";
        QTest::newRow("no stream") << workspaceText("clickscope-workspace", 1) << "holds no stream";
        QTest::newRow("another format") << workspaceText("something", 1) << "not a Clickscope workspace";
        QTest::newRow("a later version") << workspaceText("clickscope-workspace", 7) << "version 7";
        QTest::newRow("a bad url") << workspaceText("clickscope-workspace", 1, {streamWith("ftp://x/")})
                                   << "stream 1 has no usable URL";
        QJsonArray many;
        for (int i = 0; i <= StreamList::kMaxStreams; ++i)
            many.append(streamWith("http://127.0.0.1:1/events"));
        QTest::newRow("too many streams") << workspaceText("clickscope-workspace", 1, many) << "at most";
        QTest::newRow("too large") << QByteArray(Workspace::kMaxFileBytes + 1, ' ') << "a workspace is under";
    }

    void whatIsNotAWorkspaceIsRefused()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QString, says);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.csworkspace"));
        writeFile(path, contents);
        MainWindow window;
        WatchedStream *before = window.currentStream();
        const Result<void> opened = window.openWorkspace(path);
        QVERIFY(!opened);
        QVERIFY2(opened.error().contains(says), qPrintable(opened.error()));
        QCOMPARE(window.currentStream(), before);   // the window's streams stay as they were
    }

    void streamsWithoutAUrlAreNotSaved()
    {
        TestPublisher publisher(TestPublisher::Settings{});
        QVERIFY(publisher.listen());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("partial.csworkspace"));
        MainWindow window;
        QVERIFY(!window.saveWorkspace(path));   // nothing worth a file yet
        QVERIFY(!QFile::exists(path));
        StreamRequest request;
        request.config.url = urlOf(publisher, QStringLiteral("/events"));
        window.connectTo(request);
        window.addStream();   // never given a URL, and shown when saved
        QVERIFY(window.saveWorkspace(path));

        MainWindow reopened;
        QVERIFY(reopened.openWorkspace(path));
        QCOMPARE(reopened.streams()->size(), 1);
        QCOMPARE(reopened.currentStream()->request.config.url, request.config.url);
    }

    void aSecretHeaderWrittenIntoTheFileIsNotSent()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("edited.csworkspace"));
        const QJsonArray headers{QJsonArray{"Authorization", "Bearer x"}, QJsonArray{"X-Ok", "1"}};
        writeFile(path, workspaceText("clickscope-workspace", 1, {streamWith("http://127.0.0.1:1/events", headers)}));
        MainWindow window;
        QVERIFY(window.openWorkspace(path));
        QCOMPARE(window.currentStream()->request.config.headers, (QList<HttpHeader>{{"X-Ok", "1"}}));
    }
};

QTEST_MAIN(TestWorkspace)
#include "tst_workspace.moc"
