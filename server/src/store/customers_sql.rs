//! The customer links' SQL, shared by both backends like [`super::sql`].

macro_rules! impl_customer_store {
    ($store:ty, $row:ty) => {
        mod customer_impl {
            use super::*;
            use app::domain::customer::{phone_digits, CustomerAddress, CustomerMatch};
            use $crate::store::customers::{
                AddressTaken, CustomerChange, CustomerStore, EMAIL_HANDLE, PHONE_HANDLE,
            };
            use $crate::store::{ContactStore, NewCustomer};

            /// A customer's name and own addresses, as a link reads them.
            struct Addresses {
                name: String,
                email: Option<String>,
                phone: Option<String>,
                digits: Option<String>,
            }

            type Conn = <<$row as sqlx::Row>::Database as sqlx::Database>::Connection;

            async fn addresses(conn: &mut Conn, id: CustomerId) -> StoreResult<Addresses> {
                let row = sqlx::query(
                    "SELECT name, email, phone, phone_digits FROM customers WHERE id = $1",
                )
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound)?;
                Ok(Addresses {
                    name: row.try_get("name")?,
                    email: row.try_get("email")?,
                    phone: row.try_get("phone")?,
                    digits: row.try_get("phone_digits")?,
                })
            }

            /// The customer an address finds now, as the intakes find it: an address a
            /// link kept first, then the first customer who gave it, then (a number) the
            /// customer of that WhatsApp number. The email and WhatsApp intakes ask it too,
            /// inside their own transactions, so every path finds the same customer.
            pub(super) async fn owner(
                conn: &mut Conn,
                address: &CustomerAddress,
            ) -> StoreResult<Option<i64>> {
                let (kind, value, own) = match address {
                    CustomerAddress::Email(a) => (
                        EMAIL_HANDLE,
                        a,
                        "SELECT id FROM customers WHERE LOWER(email) = $1 ORDER BY id LIMIT 1",
                    ),
                    CustomerAddress::Phone(d) => (
                        PHONE_HANDLE,
                        d,
                        "SELECT id FROM customers WHERE phone_digits = $1 ORDER BY id LIMIT 1",
                    ),
                };
                const HANDLE: &str =
                    "SELECT customer_id FROM customer_handles WHERE channel = $1 AND handle = $2";
                let kept: Option<i64> = sqlx::query_scalar(HANDLE)
                    .bind(kind)
                    .bind(value)
                    .fetch_optional(&mut *conn)
                    .await?;
                if kept.is_some() {
                    return Ok(kept);
                }
                let first: Option<i64> = sqlx::query_scalar(own)
                    .bind(value)
                    .fetch_optional(&mut *conn)
                    .await?;
                if first.is_some() || kind == EMAIL_HANDLE {
                    return Ok(first);
                }
                Ok(sqlx::query_scalar(HANDLE)
                    .bind(app::domain::meta::MetaChannel::WhatsApp.name())
                    .bind(value)
                    .fetch_optional(&mut *conn)
                    .await?)
            }

            /// Holds a customer not erased until the transaction ends (an erasure waits, or
            /// comes first and this finds nobody); [`StoreError::NotFound`] otherwise.
            pub(super) async fn held(conn: &mut Conn, id: CustomerId) -> StoreResult<()> {
                let held = sqlx::query(
                    "UPDATE customers SET id = id WHERE id = $1 AND erased_at_ms IS NULL",
                )
                .bind(id.0)
                .execute(&mut *conn)
                .await?;
                if held.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            /// The first of these addresses another customer than `own` has, as the
            /// intakes find them.
            async fn taken(
                conn: &mut Conn,
                own: Option<CustomerId>,
                email: Option<&str>,
                phone: Option<&str>,
            ) -> StoreResult<Option<AddressTaken>> {
                let other = |holder: Option<i64>| {
                    holder.filter(|h| Some(*h) != own.map(|o| o.0)).map(CustomerId)
                };
                if let Some(email) = email {
                    let address = CustomerAddress::Email(email.trim().to_lowercase());
                    if let Some(by) = other(owner(conn, &address).await?) {
                        return Ok(Some(AddressTaken::Email(by)));
                    }
                }
                let digits = phone.map(phone_digits).filter(|d| !d.is_empty());
                if let Some(digits) = digits {
                    if let Some(by) = other(owner(conn, &CustomerAddress::Phone(digits)).await?) {
                        return Ok(Some(AddressTaken::Phone(by)));
                    }
                }
                Ok(None)
            }

            /// Replaces a customer's tags with `tags`, in order: the API's change and the
            /// contact panel's tag editor write them alike.
            pub(super) async fn replace_tags(
                conn: &mut Conn,
                id: i64,
                tags: &[String],
            ) -> StoreResult<()> {
                sqlx::query("DELETE FROM customer_tags WHERE customer_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                for (position, tag) in tags.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO customer_tags (customer_id, tag, position) VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(tag)
                    .bind(position as i64)
                    .execute(&mut *conn)
                    .await?;
                }
                Ok(())
            }

            /// Keeps one more address of `customer` as a handle of its kind: false when
            /// another customer holds it as one already.
            async fn keep_address(
                conn: &mut Conn,
                customer: CustomerId,
                address: &CustomerAddress,
            ) -> StoreResult<bool> {
                let (kind, value) = match address {
                    CustomerAddress::Email(a) => (EMAIL_HANDLE, a),
                    CustomerAddress::Phone(d) => (PHONE_HANDLE, d),
                };
                let done = sqlx::query(
                    "INSERT INTO customer_handles (channel, handle, customer_id) \
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                )
                .bind(kind)
                .bind(value)
                .bind(customer.0)
                .execute(&mut *conn)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            /// Puts `address` in `into`'s blank if it is still blank (a link at the same
            /// moment may have filled it), else keeps it as a handle; `typed` is a phone
            /// number as its customer wrote it. What became of it, for the audit.
            async fn fill_or_keep(
                conn: &mut Conn,
                into: CustomerId,
                address: &CustomerAddress,
                blank: bool,
                typed: Option<&str>,
            ) -> StoreResult<String> {
                let shown = address.shown();
                if blank {
                    let filled =
                        match address {
                            CustomerAddress::Email(e) => sqlx::query(
                                "UPDATE customers SET email = $2 WHERE id = $1 AND email IS NULL",
                            )
                            .bind(into.0)
                            .bind(e)
                            .execute(&mut *conn)
                            .await?,
                            CustomerAddress::Phone(d) => {
                                sqlx::query(
                                    "UPDATE customers SET phone = $3, phone_digits = $2 \
                                 WHERE id = $1 AND phone_digits IS NULL",
                                )
                                .bind(into.0)
                                .bind(d)
                                .bind(typed.unwrap_or(d))
                                .execute(&mut *conn)
                                .await?
                            }
                        }
                        .rows_affected()
                            == 1;
                    if filled {
                        return Ok(format!("{shown} filled in"));
                    }
                }
                Ok(match keep_address(conn, into, address).await? {
                    true => format!("{shown} kept"),
                    false => format!("{shown} not kept: another customer's"),
                })
            }

            /// A name the product gave for want of one: an address or a handle of theirs.
            async fn placeholder(
                conn: &mut Conn,
                id: CustomerId,
                who: &Addresses,
            ) -> StoreResult<bool> {
                let name = who.name.trim();
                if [
                    who.email.as_deref(),
                    who.phone.as_deref(),
                    who.digits.as_deref(),
                ]
                .into_iter()
                .flatten()
                .any(|a| a.trim().eq_ignore_ascii_case(name))
                {
                    return Ok(true);
                }
                let handles: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM customer_handles WHERE customer_id = $1 AND handle = $2",
                )
                .bind(id.0)
                .bind(name)
                .fetch_one(&mut *conn)
                .await?;
                Ok(handles > 0)
            }

            #[async_trait::async_trait]
            impl CustomerStore for $store {
                async fn find_customer(
                    &self,
                    address: &CustomerAddress,
                ) -> StoreResult<Option<CustomerMatch>> {
                    let mut conn = self.pool.acquire().await?;
                    let Some(id) = owner(&mut conn, address).await? else {
                        return Ok(None);
                    };
                    drop(conn);
                    let customer = self.customer(CustomerId(id)).await?;
                    let row = sqlx::query(
                        "SELECT COUNT(*) AS n, MAX(created_at_ms) AS last \
                         FROM contacts WHERE customer_id = $1",
                    )
                    .bind(id)
                    .fetch_one(&self.pool)
                    .await?;
                    let n: i64 = row.try_get("n")?;
                    Ok(Some(CustomerMatch {
                        customer,
                        conversations: u32::try_from(n).unwrap_or(u32::MAX),
                        last_at_ms: row.try_get("last")?,
                    }))
                }

                async fn open_contacts_of(
                    &self,
                    customer: CustomerId,
                ) -> StoreResult<Vec<Contact>> {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {CONTACT_COLUMNS} FROM contacts WHERE customer_id = $1 \
                         AND status IN ('queued', 'offered', 'active') ORDER BY id"
                    )))
                    .bind(customer.0)
                    .fetch_all(&self.writer)
                    .await?;
                    rows.iter().map(contact_from_row).collect()
                }

                async fn link_customers(
                    &self,
                    from: CustomerId,
                    into: CustomerId,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    let mut tx = self.writer.begin().await?;
                    // Neither may be erased meanwhile: the contents would move to a record
                    // an erasure has emptied.
                    held(&mut tx, from).await?;
                    held(&mut tx, into).await?;
                    let old = addresses(&mut tx, from).await?;
                    let kept = addresses(&mut tx, into).await?;
                    let email = old
                        .email
                        .as_deref()
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(|e| CustomerAddress::Email(e.to_lowercase()));
                    let digits = old
                        .digits
                        .clone()
                        .or_else(|| old.phone.as_deref().map(phone_digits))
                        .filter(|d| !d.is_empty());
                    let phone = digits.clone().map(CustomerAddress::Phone);
                    // Only what finds `from` now follows it: an address an older customer
                    // gave first stays theirs (no link takes a third person's mail).
                    let mut notes = Vec::new();
                    let mut follows = Vec::new();
                    for address in [email, phone].into_iter().flatten() {
                        if owner(&mut tx, &address).await? == Some(from.0) {
                            follows.push(address);
                        } else {
                            notes.push(format!("{} not kept: another customer's", address.shown()));
                        }
                    }
                    let take_name = placeholder(&mut tx, into, &kept).await?
                        && !placeholder(&mut tx, from, &old).await?;
                    let contacts: Vec<i64> = sqlx::query_scalar(
                        "SELECT id FROM contacts WHERE customer_id = $1 ORDER BY id",
                    )
                    .bind(from.0)
                    .fetch_all(&mut *tx)
                    .await?;
                    let handles: Vec<String> = sqlx::query(
                        "SELECT channel, handle FROM customer_handles WHERE customer_id = $1 \
                         ORDER BY channel, handle",
                    )
                    .bind(from.0)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| -> StoreResult<String> {
                        let channel: String = r.try_get("channel")?;
                        let handle: String = r.try_get("handle")?;
                        Ok(format!("{channel}:{handle}"))
                    })
                    .collect::<StoreResult<_>>()?;
                    // Issue 17: the other's tags after this one's (each once; more than an
                    // agent may set, until one edits them), and their notes.
                    sqlx::query(
                        "INSERT INTO customer_tags (customer_id, tag, position) \
                         SELECT $2, tag, position + (SELECT COALESCE(MAX(position), -1) + 1 \
                         FROM customer_tags WHERE customer_id = $2) \
                         FROM customer_tags WHERE customer_id = $1 ON CONFLICT DO NOTHING",
                    )
                    .bind(from.0)
                    .bind(into.0)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM customer_tags WHERE customer_id = $1")
                        .bind(from.0)
                        .execute(&mut *tx)
                        .await?;
                    for table in ["contacts", "customer_handles", "customer_notes"] {
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "UPDATE {table} SET customer_id = $2 WHERE customer_id = $1"
                        )))
                        .bind(from.0)
                        .bind(into.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    // The other person's addresses: in the blanks (unless a link at the same
                    // moment filled them), else as handles.
                    for address in follows {
                        let (same, blank) = match &address {
                            CustomerAddress::Email(e) => (
                                kept.email
                                    .as_deref()
                                    .is_some_and(|own| own.to_lowercase() == *e),
                                kept.email.is_none(),
                            ),
                            CustomerAddress::Phone(d) => (
                                kept.digits.as_deref() == Some(d.as_str()),
                                kept.digits.is_none(),
                            ),
                        };
                        if !same {
                            let typed = old.phone.as_deref();
                            notes.push(fill_or_keep(&mut tx, into, &address, blank, typed).await?);
                        }
                    }
                    if take_name {
                        sqlx::query("UPDATE customers SET name = $2 WHERE id = $1")
                            .bind(into.0)
                            .bind(&old.name)
                            .execute(&mut *tx)
                            .await?;
                        notes.push(format!("name \"{}\" taken", old.name));
                    }
                    sqlx::query("DELETE FROM customers WHERE id = $1")
                        .bind(from.0)
                        .execute(&mut *tx)
                        .await?;
                    // What moved, so that a mistaken link can be put right by hand.
                    let ids: Vec<String> = contacts.iter().map(i64::to_string).collect();
                    let detail = format!(
                        "{}; contacts moved: {}; handles moved: {}{}",
                        audit.detail,
                        if ids.is_empty() {
                            "none".into()
                        } else {
                            ids.join(", ")
                        },
                        if handles.is_empty() {
                            "none".into()
                        } else {
                            handles.join(", ")
                        },
                        notes.iter().map(|n| format!("; {n}")).collect::<String>(),
                    );
                    write_audit(&mut tx, audit, &detail).await?;
                    // What the webhooks were to be told of the record that goes (its name,
                    // its addresses) goes with it: an erasure of the kept one would not
                    // find it. The kept one's change is told instead.
                    sqlx::query(
                        "DELETE FROM webhook_events WHERE customer_id = $1 \
                         AND event = 'customer.updated'",
                    )
                    .bind(from.0)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM webhook_deliveries WHERE subject = $1")
                        .bind(format!("customer:{}", from.0))
                        .execute(&mut *tx)
                        .await?;
                    write_customer_event(&mut tx, into, audit.at_ms).await?;
                    tx.commit().await?;
                    Ok(())
                }

                async fn returning_customer(
                    &self,
                    id: CustomerId,
                    now: &NewCustomer,
                ) -> StoreResult<bool> {
                    let Some(email) = now.email.as_deref().map(|e| e.trim().to_lowercase()) else {
                        return Ok(false);
                    };
                    let mut tx = self.writer.begin().await?;
                    let theirs: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM customers WHERE id = $1 AND (LOWER(email) = $2 OR EXISTS \
                         (SELECT 1 FROM customer_handles WHERE customer_id = $1 \
                         AND channel = $3 AND handle = $2))",
                    )
                    .bind(id.0)
                    .bind(&email)
                    .bind(EMAIL_HANDLE)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if theirs.is_none() {
                        return Ok(false);
                    }
                    sqlx::query("UPDATE customers SET name = $2 WHERE id = $1")
                        .bind(id.0)
                        .bind(&now.name)
                        .execute(&mut *tx)
                        .await?;
                    // A number they had stays theirs (a WhatsApp chat may go by it); a number
                    // given now is taken only when it finds nobody else (typed, it must not
                    // take another person's conversations over).
                    let digits = now
                        .phone
                        .as_deref()
                        .map(phone_digits)
                        .filter(|d| !d.is_empty());
                    if let Some(digits) = digits {
                        let holder =
                            owner(&mut tx, &CustomerAddress::Phone(digits.clone())).await?;
                        if holder.is_none_or(|h| h == id.0) {
                            sqlx::query(
                                "UPDATE customers SET phone = $2, phone_digits = $3 \
                                 WHERE id = $1 AND phone IS NULL",
                            )
                            .bind(id.0)
                            .bind(&now.phone)
                            .bind(&digits)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                    tx.commit().await?;
                    Ok(true)
                }

                async fn add_customer(
                    &self,
                    new: &NewCustomer,
                    tags: &[String],
                    audit: &AuditEntry,
                ) -> StoreResult<Result<CustomerId, AddressTaken>> {
                    let mut tx = self.writer.begin().await?;
                    sqlx::query(<$store>::CUSTOMER_ADDRESSES_LOCK)
                        .execute(&mut *tx)
                        .await?;
                    if let Some(taken) =
                        taken(&mut tx, None, new.email.as_deref(), new.phone.as_deref()).await?
                    {
                        return Ok(Err(taken));
                    }
                    let id = super::contacts_impl::insert_customer(&mut tx, new, audit.at_ms).await?;
                    replace_tags(&mut tx, id.0, tags).await?;
                    let detail = format!("{} (customer {})", audit.detail, id.0);
                    write_audit(&mut tx, audit, &detail).await?;
                    write_customer_event(&mut tx, id, audit.at_ms).await?;
                    tx.commit().await?;
                    Ok(Ok(id))
                }

                async fn change_customer(
                    &self,
                    id: CustomerId,
                    change: &CustomerChange,
                    audit: &AuditEntry,
                ) -> StoreResult<Result<(), AddressTaken>> {
                    let mut tx = self.writer.begin().await?;
                    sqlx::query(<$store>::CUSTOMER_ADDRESSES_LOCK)
                        .execute(&mut *tx)
                        .await?;
                    held(&mut tx, id).await?;
                    // An address they have already is theirs to keep (another customer may
                    // share it: the older one, whom it finds).
                    let now = addresses(&mut tx, id).await?;
                    let email = change.email.as_ref().and_then(|e| e.as_deref()).filter(|e| {
                        now.email.as_deref().map(|n| n.trim().to_lowercase())
                            != Some(e.trim().to_lowercase())
                    });
                    let phone = change.phone.as_ref().and_then(|p| p.as_deref()).filter(|p| {
                        now.digits.as_deref() != Some(phone_digits(p).as_str())
                    });
                    if let Some(taken) = taken(&mut tx, Some(id), email, phone).await? {
                        return Ok(Err(taken));
                    }
                    let new_phone = change.phone.as_ref().and_then(Option::as_deref);
                    // What the change names, in one write: an address `Some(None)` is
                    // removed, one `None` kept.
                    sqlx::query(
                        "UPDATE customers SET name = COALESCE($2, name), \
                         email = CASE WHEN $3 THEN $4 ELSE email END, \
                         phone = CASE WHEN $5 THEN $6 ELSE phone END, \
                         phone_digits = CASE WHEN $5 THEN $7 ELSE phone_digits END \
                         WHERE id = $1",
                    )
                    .bind(id.0)
                    .bind(change.name.as_deref())
                    .bind(change.email.is_some())
                    .bind(change.email.as_ref().and_then(Option::as_deref))
                    .bind(change.phone.is_some())
                    .bind(new_phone)
                    .bind(new_phone.map(phone_digits).filter(|d| !d.is_empty()))
                    .execute(&mut *tx)
                    .await?;
                    if let Some(tags) = &change.tags {
                        replace_tags(&mut tx, id.0, tags).await?;
                    }
                    write_audit(&mut tx, audit, &audit.detail).await?;
                    write_customer_event(&mut tx, id, audit.at_ms).await?;
                    tx.commit().await?;
                    Ok(Ok(()))
                }
            }
        }
    };
}

pub(super) use impl_customer_store;
