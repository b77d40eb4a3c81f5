// SPDX-License-Identifier: MIT
// Workspaces with a real desktop keyring: a private D-Bus session with gnome-keyring's Secret
// Service in it, started here and stopped at the end. The token leaves the file and comes back
// from the keyring, and the stream that needed it connects again on its own.
#include "app/mainwindow.h"
#include "app/secretstore.h"
#include "server/testpublisher.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Clickscope;

namespace {

constexpr int kWaitMs = 15000;
const QString kSecretsService = QStringLiteral("org.freedesktop.secrets");

// What the keyring holds under `key` once it answers; empty when nothing (or no answer in time).
QByteArray secretUnder(SecretStore &store, const QString &key)
{
    QByteArray secret;
    bool answered = false;
    store.read(key, [&](const QByteArray &kept, const QString &) {
        secret = kept;
        answered = true;
    });
    (void)QTest::qWaitFor([&answered] { return answered; }, kWaitMs);
    return secret;
}

}   // namespace

class TestKeyring : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        QVERIFY(m_home.isValid());
        // The keyring keeps its files under the home given here, never the user's.
        const QString runtime = m_home.filePath(QStringLiteral("run"));
        QVERIFY(QDir().mkpath(runtime));
        QFile::setPermissions(runtime, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        qputenv("XDG_RUNTIME_DIR", runtime.toLocal8Bit());
        qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toLocal8Bit());
        qputenv("HOME", m_home.path().toLocal8Bit());
        qputenv("XDG_CURRENT_DESKTOP", "GNOME");   // where QtKeychain looks for the Secret Service

        m_bus.start(QStringLiteral("dbus-daemon"),
                    {QStringLiteral("--session"), QStringLiteral("--nofork"), QStringLiteral("--print-address=1")});
        QVERIFY2(m_bus.waitForStarted(), qPrintable(m_bus.errorString()));
        QVERIFY(QTest::qWaitFor([this] { return m_bus.canReadLine(); }, kWaitMs));
        const QByteArray address = m_bus.readLine().trimmed();
        QVERIFY(!address.isEmpty());
        qputenv("DBUS_SESSION_BUS_ADDRESS", address);

        m_keyring.start(
            QStringLiteral("gnome-keyring-daemon"),
            {QStringLiteral("--foreground"), QStringLiteral("--unlock"), QStringLiteral("--components=secrets")});
        QVERIFY2(m_keyring.waitForStarted(), qPrintable(m_keyring.errorString()));
        m_keyring.write("test-password");   // the login keyring's, created on first use
        m_keyring.closeWriteChannel();
        QDBusConnection bus = QDBusConnection::connectToBus(QString::fromLatin1(address), QStringLiteral("probe"));
        QVERIFY(bus.isConnected());
        QVERIFY(
            QTest::qWaitFor([&bus] { return bus.interface()->isServiceRegistered(kSecretsService).value(); }, kWaitMs));
        QDBusConnection::disconnectFromBus(QStringLiteral("probe"));
    }

    void cleanupTestCase()
    {
        for (QProcess *process : {&m_keyring, &m_bus}) {
            process->terminate();
            if (!process->waitForFinished(5000))
                process->kill();
        }
    }

    void aSecretComesBack()
    {
        SecretStore store;
        QString written = QStringLiteral("(no answer)");
        store.write(QStringLiteral("probe"), "s3cret", [&written](const QString &error) { written = error; });
        QTRY_VERIFY_WITH_TIMEOUT(written != QStringLiteral("(no answer)"), kWaitMs);
        QVERIFY2(written.isEmpty(), qPrintable(written));
        QByteArray read;
        QString error = QStringLiteral("(no answer)");
        store.read(QStringLiteral("probe"), [&](const QByteArray &secret, const QString &why) {
            read = secret;
            error = why;
        });
        QTRY_VERIFY_WITH_TIMEOUT(error != QStringLiteral("(no answer)"), kWaitMs);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(read, QByteArray("s3cret"));
    }

    void aWorkspaceGetsItsTokenBackFromTheKeyring()
    {
        TestPublisher::Settings locked;
        locked.token = "keyring-token";
        locked.tokenForReading = true;
        TestPublisher publisher(locked);
        QVERIFY(publisher.listen());
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("secured.csworkspace"));
        {
            MainWindow window;
            StreamRequest request;
            request.config.url = publisher.baseUrl().resolved(QUrl(QStringLiteral("/events")));
            request.config.headers = {{"Authorization", "Bearer keyring-token"}};
            window.connectTo(request);
            QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
            QVERIFY(window.saveWorkspace(path));
            // Saving answers later: the window stays until the keyring has the token.
            SecretStore probe;
            const QString key = window.currentStream()->secretsKey;
            QVERIFY(!key.isEmpty());
            QTRY_VERIFY_WITH_TIMEOUT(secretUnder(probe, key).contains("keyring-token"), kWaitMs);
        }
        QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 0, kWaitMs);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("keyring-token"));

        MainWindow window;
        QVERIFY(window.openWorkspace(path));
        // The token comes back from the keyring and the stream connects with it.
        QTRY_COMPARE_WITH_TIMEOUT(publisher.subscriberCount(), 1, kWaitMs);
        QVERIFY(window.currentStream()->missingCredentials.isEmpty());
        QVERIFY(window.currentStream()->lastError.isEmpty());
        QCOMPARE(window.currentStream()->request.config.headers,
                 (QList<HttpHeader>{{"Authorization", "Bearer keyring-token"}}));
    }

private:
    QTemporaryDir m_home;
    QProcess m_bus;
    QProcess m_keyring;
};

QTEST_MAIN(TestKeyring)
#include "tst_keyring.moc"
