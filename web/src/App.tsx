import { useEffect, useRef, useState } from "react";
import { Link, NavLink, Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { Me, get, setUnauthenticatedHandler, signOut } from "./api";
import { SessionContext, isAdmin, isManager, useSession } from "./session";
import { Login } from "./pages/Login";
import { MyDay } from "./pages/MyDay";
import { Accounts } from "./pages/Accounts";
import { AccountPage } from "./pages/AccountPage";
import { Pipeline } from "./pages/Pipeline";
import { Contacts } from "./pages/Contacts";
import { ContactPage } from "./pages/ContactPage";
import { Tasks } from "./pages/Tasks";
import { Admin } from "./pages/Admin";
import { BlueSheet } from "./pages/BlueSheet";
import { StakeholderMap } from "./pages/StakeholderMap";
import { Forecast } from "./pages/Forecast";
import { Targets } from "./pages/Targets";
import { Coaching } from "./pages/CallPlans";
import { Segmentation } from "./pages/Segmentation";
import { HandoverDetail, HandoverWizard, Handovers, RelationshipRisk } from "./pages/Continuity";
import { SuccessPlanPage } from "./pages/SuccessPlans";
import { Commission, PayNav } from "./pages/Commission";
import { CasePage, Cases, NewCase } from "./pages/Cases";
import { SurveyAnswer } from "./pages/Surveys";
import { Scorecards } from "./pages/Scorecards";
import { AdvisoryBoardPage, AdvisoryBoards, CoachingNav } from "./pages/AdvisoryBoards";


// Survey links are opened by customers, who have no account here: those pages need no sign-in, show
// no header, and never ask who is signed in.
const isPublic = (path: string) => path.startsWith("/survey/");

export function App() {
  const { pathname } = useLocation();
  if (isPublic(pathname)) {
    return (
      <main id="main" className="public">
        <Routes>
          <Route path="/survey/:token" element={<SurveyAnswer />} />
          <Route path="*" element={<div className="survey card"><h1>This survey link is not complete</h1><p>Please open the whole link from the email.</p></div>} />
        </Routes>
      </main>
    );
  }
  return <SignedInApp />;
}

function SignedInApp() {
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(false);
  const navigate = useNavigate();
  const location = useLocation();

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setMe(null);
      const next = window.location.pathname + window.location.search;
      if (!next.startsWith("/login") && !isPublic(window.location.pathname)) navigate(`/login?next=${encodeURIComponent(next)}`);
    });
    get<Me>("/auth/me")
      .then(setMe)
      .catch(() => setMe(null))
      .finally(() => setChecked(true));
  }, [navigate]);

  if (!checked) return <p className="loading">Loading…</p>;
  if (!me && location.pathname !== "/login") {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  return (
    <SessionContext.Provider value={{ me, setMe }}>
      {me && <Header />}
      <main id="main">
        <Routes>
          <Route path="/login" element={<Login />} />
          <Route path="/" element={<MyDay />} />
          <Route path="/accounts" element={<Accounts />} />
          <Route path="/accounts/:id" element={<AccountPage />} />
          <Route path="/accounts/:id/stakeholders" element={<StakeholderMap />} />
          <Route path="/pipeline" element={<Pipeline />} />
          <Route path="/opportunities/:id/blue-sheet" element={<BlueSheet />} />
          <Route path="/forecast" element={<Forecast />} />
          <Route path="/targets" element={<><PayNav /><Targets /></>} />
          <Route path="/commission" element={<Commission />} />
          <Route path="/scorecards" element={<Scorecards />} />
          <Route path="/success-plans/:id" element={<SuccessPlanPage />} />
          <Route path="/coaching" element={<><CoachingNav /><Coaching /></>} />
          <Route path="/advisory-boards" element={<AdvisoryBoards />} />
          <Route path="/advisory-boards/:id" element={<AdvisoryBoardPage />} />
          <Route path="/segmentation" element={<Segmentation />} />
          <Route path="/contacts" element={<Contacts />} />
          <Route path="/contacts/:id" element={<ContactPage />} />
          <Route path="/tasks" element={<Tasks />} />
          <Route path="/cases" element={<Cases />} />
          <Route path="/cases/new" element={<NewCase />} />
          <Route path="/cases/:id" element={<CasePage />} />
          <Route path="/continuity" element={<RelationshipRisk />} />
          <Route path="/continuity/handovers" element={<Handovers />} />
          <Route path="/continuity/handovers/:id" element={<HandoverDetail />} />
          <Route path="/continuity/new" element={<HandoverWizard />} />
          <Route path="/admin" element={<Admin />} />
          <Route path="/admin/:kind" element={<Admin />} />
          <Route path="*" element={<p>Nothing here. <Link to="/">Back to My day</Link></p>} />
        </Routes>
      </main>
    </SessionContext.Provider>
  );
}

type Hit = { kind: string; id: string; title: string };

function Header() {
  const { me, setMe } = useSession();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const [q, setQ] = useState("");
  const [hits, setHits] = useState<Hit[]>([]);
  const input = useRef<HTMLInputElement>(null);

  // Ctrl+K (or /) jumps to search from anywhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
      if ((e.key === "k" && (e.ctrlKey || e.metaKey)) || (e.key === "/" && !typing)) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    if (q.trim().length < 2) return setHits([]);
    const timer = setTimeout(() => {
      get<{ items: Hit[] }>(`/search?q=${encodeURIComponent(q)}&limit=5`)
        .then((r) => setHits(r.items))
        .catch(() => setHits([]));
    }, 150);
    return () => clearTimeout(timer);
  }, [q]);

  const open = (hit: Hit) => {
    setQ("");
    setHits([]);
    if (hit.kind === "account") navigate(`/accounts/${hit.id}`);
    else if (hit.kind === "opportunity") navigate(`/pipeline?highlight=${hit.id}`);
    else navigate(`/contacts/${hit.id}`);
  };

  return (
    <header className="top">
      <a className="skip" href="#main">Skip to content</a>
      <strong className="brand">Rapport</strong>
      <nav aria-label="Main">
        <NavLink to="/" end>My day</NavLink>
        <NavLink to="/accounts">Accounts</NavLink>
        <NavLink to="/contacts">Contacts</NavLink>
        <NavLink to="/pipeline">Pipeline</NavLink>
        <NavLink to="/forecast">Forecast</NavLink>
        <NavLink to="/targets" className={({ isActive }) => (isActive || pathname.startsWith("/commission") || pathname.startsWith("/scorecards") ? "active" : "")}>Targets</NavLink>
        <NavLink to="/segmentation">Segments</NavLink>
        {isManager(me) && <NavLink to="/coaching" className={({ isActive }) => (isActive || pathname.startsWith("/advisory-boards") ? "active" : "")}>Coaching</NavLink>}
        <NavLink to="/tasks">Tasks</NavLink>
        <NavLink to="/cases">Service</NavLink>
        <NavLink to="/continuity">Continuity</NavLink>
        {isAdmin(me) && <NavLink to="/admin">Admin</NavLink>}
      </nav>
      <div className="search" role="search">
        <label htmlFor="global-search" className="sr-only">Search accounts, contacts and opportunities</label>
        <input id="global-search" ref={input} placeholder="Search (Ctrl+K)" value={q} autoComplete="off"
               onChange={(e) => setQ(e.target.value)}
               onKeyDown={(e) => { if (e.key === "Enter" && hits[0]) open(hits[0]); if (e.key === "Escape") setQ(""); }} />
        {hits.length > 0 && (
          <ul className="hits" aria-label="Search results">
            {hits.map((h) => (
              <li key={h.kind + h.id}>
                <button type="button" onClick={() => open(h)}>
                  <span className={`kind ${h.kind}`}>{h.kind}</span> {h.title}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <span className="who">{me?.name} · {me?.role.replace("_", " ")}</span>
      <button type="button" onClick={async () => { await signOut(); setMe(null); navigate("/login"); }}>Sign out</button>
    </header>
  );
}
