import { FormEvent, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { ApiError, signIn } from "../api";
import { useSession } from "../session";

export function Login() {
  const { setMe } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      setMe(await signIn(email, password));
      navigate(params.get("next") || "/", { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Cannot reach Rapport");
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="login card" onSubmit={submit} aria-labelledby="login-title">
      <h1 id="login-title">Sign in to Rapport</h1>
      <label htmlFor="email">Email</label>
      <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <label htmlFor="password">Password</label>
      <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
    </form>
  );
}
