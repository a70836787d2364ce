/*
 * The kernels' own products (native/kernels/sgemm.c) against OpenBLAS on the shapes this model multiplies, each
 * shape timed on both in turn (best of repeated calls), with the largest difference between the two results.
 * Needs libopenblas-dev, which the service does not; from the project root:
 *   gcc -O3 -ffast-math -Inative/kernels scripts/bench/sgemm-vs-openblas.c native/kernels/sgemm.c -lopenblas -lpthread -lm -o /tmp/sgemm-vs-openblas
 *   OPENBLAS_NUM_THREADS=1 /tmp/sgemm-vs-openblas [seconds per shape, default 0.3] [avx512|avx2|generic]
 * OpenBLAS is called as the kernels called it before (gemv for one row, and for up to three untransposed rows).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>
#include "sgemm.h"
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static void blas(int ta,int tb,int m,int n,int k,const float*a,const float*b,float beta,float*c){
  int lda=ta?m:k, ldb=tb?k:n;
  if(m==1){ if(tb) cblas_sgemv(CblasRowMajor,CblasNoTrans,n,k,1,b,k,a,1,beta,c,1); else cblas_sgemv(CblasRowMajor,CblasTrans,k,n,1,b,n,a,1,beta,c,1); return;}
  if(m<4&&!ta&&!tb){ for(int r=0;r<m;r++) cblas_sgemv(CblasRowMajor,CblasTrans,k,n,1,b,n,a+r*k,1,beta,c+r*n,1); return;}
  cblas_sgemm(CblasRowMajor,ta?CblasTrans:CblasNoTrans,tb?CblasTrans:CblasNoTrans,m,n,k,1,a,lda,b,ldb,beta,c,n);
}
static void ours(int ta,int tb,int m,int n,int k,const float*a,const float*b,float beta,float*c){ sgemm(ta,tb,m,n,k,a,ta?m:k,b,tb?k:n,beta,c,n); }
typedef void(*fn)(int,int,int,int,int,const float*,const float*,float,float*);
static double rate(fn f,int ta,int tb,int m,int n,int k,const float*a,const float*b,float*c,double budget){
  double fl=2.0*m*n*k; int reps=0; double t0=now(), best=1e30;
  while(now()-t0<budget){ double t=now(); f(ta,tb,m,n,k,a,b,0.0f,c); t=now()-t; if(t<best)best=t; reps++; }
  return fl/best/1e9;
}
int main(int argc,char**argv){
  int shapes[][5]={
   {0,0,1201,8000,256},{0,0,2708,8000,256},{0,0,300,8000,256},{0,0,32,8000,256},{0,0,16,8000,256},
   {0,0,64,768,256},{0,0,64,256,768},{0,0,16,768,256},{0,0,16,256,768},{0,0,48,768,256},{0,0,100,768,256},{0,0,300,768,256},
   {0,0,4712,768,128},{0,0,2708,256,512},
   {0,0,1,8000,256},{0,0,1,768,256},{0,0,2,768,256},{0,0,3,768,256},{0,0,1,256,768},
   {0,1,1201,256,8000},{0,1,2708,256,8000},{0,1,2708,128,768},{0,1,2708,512,256},{0,1,64,512,768},
   {1,0,256,8000,1201},{1,0,256,8000,2708},{1,0,256,768,1201},{1,0,128,768,2708},{1,0,512,256,2708},{1,0,768,256,1201},
  };
  int ns=sizeof shapes/sizeof shapes[0]; double budget=argc>1?atof(argv[1]):0.3;
  if(argc>2) if(!sgemm_use_isa(argv[2])) {printf("no isa\n");return 1;}
  printf("isa %s\n", sgemm_isa());
  double lo=0, lb=0;
  for(int s=0;s<ns;s++){ int ta=shapes[s][0],tb=shapes[s][1],m=shapes[s][2],n=shapes[s][3],k=shapes[s][4];
    float*a=malloc(sizeof(float)*m*k),*b=malloc(sizeof(float)*k*n),*c1=malloc(sizeof(float)*m*n),*c2=malloc(sizeof(float)*m*n);
    for(long i=0;i<(long)m*k;i++)a[i]=rand()/(float)RAND_MAX-0.5f; for(long i=0;i<(long)k*n;i++)b[i]=rand()/(float)RAND_MAX-0.5f;
    blas(ta,tb,m,n,k,a,b,0,c1); ours(ta,tb,m,n,k,a,b,0,c2); double err=0; for(long i=0;i<(long)m*n;i++){double d=fabs(c1[i]-c2[i]); if(d>err)err=d;}
    double ro=0,rb=0; for(int rep=0;rep<2;rep++){ double x=rate(blas,ta,tb,m,n,k,a,b,c1,budget/2); if(x>rb)rb=x; x=rate(ours,ta,tb,m,n,k,a,b,c2,budget/2); if(x>ro)ro=x; }
    printf("%c%c m=%5d n=%5d k=%5d  openblas %6.1f  ours %6.1f GFLOP/s  ratio %.2f  maxerr %.1e\n", ta?'T':'N', tb?'T':'N', m,n,k, rb, ro, ro/rb, err);
    lo+=log(ro); lb+=log(rb);
    free(a);free(b);free(c1);free(c2);}
  printf("geomean ratio %.3f\n", exp((lo-lb)/ns));
}
