## Childcare: screens of the partner and coordinators (Polish).

btn-cp-pending = { $count ->
    [0] 🧸 Prośby o opiekę
   *[other] 🧸 Prośby o opiekę ({ $count })
}
btn-cp-pending-short = 🧸 Prośby o opiekę
btn-cp-roster = 📋 Grafik opieki
btn-cp-open-roster = 📋 Otwórz grafik
btn-cp-today = 📅 Dziś
btn-cp-approve = ✅ Zatwierdź
btn-cp-decline = ❌ Odmów
btn-cp-reason-typed = ✍️ Inny powód — napiszę
cp-reason-full = Brak miejsc w tym czasie
cp-reason-age = Wiek poza zakresem opieki

cp-card-title = 🧸 <b>Prośba o opiekę</b>
cp-new-title = 🧸 <b>Nowa prośba o opiekę</b>
cp-who = 👶 <b>{ $name }</b> — { $kind ->
    [adult] osoba dorosła
   *[child] dziecko
}, { $age } { $age ->
    [one] rok
    [few] lata
   *[other] lat
}
cp-who-removed = 👶 (dane podopiecznego usunięte)
cp-needs = Potrzeby: { $needs }
cp-needs-none = Potrzeby: brak uwag
cp-when = 🕘 { $day }, { $start }–{ $end }
cp-place = 📍 { $place }
cp-parent = 👤 Rodzic: { $name }
cp-during = W tym czasie: { $activity }
cp-moved = 🔁 Termin się zmienił (wcześniej: { $was }). Zdecyduj jeszcze raz.
cp-state-approved = ✅ Zatwierdzona.
cp-state-declined = ❌ Odmówiono: { $reason }
cp-state-cancelled = 🚫 Odwołana.
cp-state-held = ⏳ Czeka na wolne miejsce.

cp-pending-title = { $count ->
    [0] 🧸 Nie ma próśb czekających na decyzję.
    [one] 🧸 <b>1 prośba czeka na decyzję:</b>
    [few] 🧸 <b>{ $count } prośby czekają na decyzję:</b>
   *[other] 🧸 <b>{ $count } próśb czeka na decyzję:</b>
}
cp-pending-more = Pokazuję pierwsze { $shown }. Po decyzji stuknij „Prośby o opiekę” jeszcze raz.
cp-decline-ask = Dlaczego odmawiasz? Rodzic zobaczy ten powód.
cp-reason-ask = Napisz krótko powód odmowy dla: { $name } (rodzic go zobaczy).
cp-reason-invalid = Napisz powód w 1–{ $max } znakach albo stuknij „Anuluj”.
cp-already-decided = Ktoś już zdecydował o tej prośbie.
cp-closed = Ta prośba jest już nieaktualna.
cp-done-approved = Rodzic dostanie wiadomość, że opieka jest zatwierdzona.
cp-done-declined = Rodzic dostanie wiadomość z powodem odmowy.

cp-roster-title = 📋 <b>Grafik opieki</b> — { $day }
cp-roster-empty = Tego dnia nie ma zatwierdzonej opieki.
cp-roster-waiting = { $count ->
    [one] ⏳ 1 prośba na ten dzień czeka na decyzję.
    [few] ⏳ { $count } prośby na ten dzień czekają na decyzję.
   *[other] ⏳ { $count } próśb na ten dzień czeka na decyzję.
}
cp-roster-line = <b>{ $start }–{ $end }</b> { $who }
cp-morning-title = 📋 <b>Dzień dobry! Opieka dzisiaj</b> — { $day }

cp-cancelled-title = 🚫 <b>Opieka odwołana</b>
cp-cancelled-note = Rodzic zrezygnował albo jego zapis został odwołany. Nic nie musisz robić.
