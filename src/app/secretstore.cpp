// SPDX-License-Identifier: MIT
#include "app/secretstore.h"

#include <qt6keychain/keychain.h>

namespace Clickscope {

namespace {

const QString kService = QStringLiteral("Clickscope");

QString describe(const QKeychain::Job &job)
{
    switch (job.error()) {
    case QKeychain::NoError:
        return {};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return QObject::tr("no desktop keyring is available (%1)").arg(job.errorString());
    case QKeychain::EntryNotFound:
        return QObject::tr("the keyring holds no secret for it");
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return QObject::tr("the keyring refused access (%1)").arg(job.errorString());
    default:
        return QObject::tr("the keyring failed: %1").arg(job.errorString());
    }
}

}   // namespace

SecretStore::SecretStore(QObject *parent) : QObject(parent) {}

void SecretStore::write(const QString &key, const QByteArray &secret, std::function<void(const QString &)> done)
{
    // Not a child of the store: a job deleted while its keyring call runs is called back after
    // it is gone (the keyring's answer outlives it), so a job lives until it finishes and then
    // deletes itself; the store may be gone by then, and its answer is dropped.
    auto *job = new QKeychain::WritePasswordJob(kService);
    job->setInsecureFallback(false);
    job->setKey(key);
    job->setBinaryData(secret);
    connect(job, &QKeychain::Job::finished, this,
            [done = std::move(done)](QKeychain::Job *finished) { done(describe(*finished)); });
    job->start();
}

void SecretStore::read(const QString &key, std::function<void(const QByteArray &, const QString &)> done)
{
    auto *job = new QKeychain::ReadPasswordJob(kService);   // as in write()
    job->setInsecureFallback(false);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [done = std::move(done)](QKeychain::Job *finished) {
        const QString error = describe(*finished);
        done(error.isEmpty() ? static_cast<QKeychain::ReadPasswordJob *>(finished)->binaryData() : QByteArray(), error);
    });
    job->start();
}

}   // namespace Clickscope
